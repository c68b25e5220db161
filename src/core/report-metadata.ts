/**
 * The metadata type under which `NagPacks.enable` records, on each stack, the cdk-nag packs it
 * turned on, and which `cdk-best-practice-patterns report` reads: a pack that finds nothing leaves
 * no other trace in cdk-nag 3.x's report. No import here, so the report command loads no aws-cdk-lib.
 */
export const NAG_PACKS_METADATA = 'cdk-best-practice-patterns:nag-packs';
