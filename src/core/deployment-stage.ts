/**
 * Which kind of environment a pattern is deployed to.
 *
 * The stage only shifts defaults; a prop set explicitly always wins. Named so that it cannot be
 * confused with `cdk.Stage`, which groups stacks.
 */
export enum DeploymentStage {
  /**
   * Cheap and destroyable: one NAT gateway, resources removed with the stack.
   */
  DEV = 'dev',

  /**
   * Keeps data and stays highly available: stateful resources are retained, NAT per AZ.
   */
  PROD = 'prod',
}

/**
 * Whether a stage must keep data and high availability. PROD is the default, so an absent stage
 * counts as production: a forgotten prop must never make a deployment cheaper and weaker.
 */
export function isProduction(stage: DeploymentStage | undefined): boolean {
  const resolved = stage ?? DeploymentStage.PROD;
  // Every pattern checks its stage first (withPatternDefaults); this keeps any other caller from
  // reading an unknown value as DEV.
  if (!Object.values(DeploymentStage).includes(resolved)) {
    throw new Error(`The stage is ${JSON.stringify(stage)}; it must be one of: ${Object.values(DeploymentStage).join(', ')}.`);
  }
  return resolved === DeploymentStage.PROD;
}
