import { AspectPriority, Aspects, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NagPack as NagPackPrefix } from './nag-packs';

/** Where cdk-nag 2.x (and `NagSuppressions`) keep suppressions: CloudFormation metadata of each resource. */
const NAG_V2_METADATA = 'cdk_nag';

/**
 * Acknowledges one cdk-nag finding on one construct (and the resources below it), with the reason
 * a reviewer will read.
 *
 * Pass the narrowest id the finding has: a finding id such as
 * `AwsSolutions-IAM5[Resource::arn:...:*]` rather than the bare rule, and the resource that causes
 * it rather than its stack.
 */
export function acknowledgeNagFinding(scope: IConstruct, id: string, reason: string): void {
  if (!/^[A-Za-z0-9.]+-[A-Za-z0-9]+(\[.+\])?$/.test(id)) {
    throw new Error(`'${id}' is not a cdk-nag rule id such as 'AwsSolutions-VPC7' or 'AwsSolutions-IAM5[Action::s3:*]'.`);
  }
  if (reason.trim().split(/\s+/).length < 5) {
    throw new Error(`The acknowledgement of ${id} at ${scope.node.path} needs a reason a reviewer can check, of five words or more, not '${reason}'.`);
  }
  Validations.of(scope).acknowledge({ id, reason });
  suppressForNagV2(scope, id, reason);
}

/**
 * cdk-nag 2.x, which runs as Aspects, reads no `Validations` acknowledgement: it reads the
 * `cdk_nag` metadata that its `NagSuppressions.addResourceSuppressions(scope, ..., true)` writes on
 * every resource below the scope. This writes the same, in the same format: a granular finding
 * (`AwsSolutions-IAM5[Resource::*]`) becomes the rule id with `applies_to`, and a reason with
 * characters beyond Latin-1 is base64-encoded as cdk-nag 2.x expects.
 */
function suppressForNagV2(scope: IConstruct, id: string, reason: string): void {
  for (const resource of scope.node.findAll().filter(CfnResource.isCfnResource)) {
    suppressOnResource(resource, id, reason);
  }
}

/** Writes one cdk-nag 2.x suppression into a resource's `cdk_nag` metadata, once. */
function suppressOnResource(resource: CfnResource, id: string, reason: string): void {
  const [, rule, finding] = /^([^[]+)(?:\[(.+)\])?$/.exec(id)!;
  const outsideLatin1 = [...reason].some((c) => c.codePointAt(0)! > 255);
  const suppression = {
    ...(outsideLatin1 ? { reason: Buffer.from(reason).toString('base64'), is_reason_encoded: true } : { reason }),
    id: rule,
    ...(finding ? { applies_to: [finding] } : {}),
  };
  const existing: object[] = resource.getMetadata(NAG_V2_METADATA)?.rules_to_suppress ?? [];
  if (!existing.some((s) => JSON.stringify(s) === JSON.stringify(suppression))) {
    resource.addMetadata(NAG_V2_METADATA, { rules_to_suppress: [...existing, suppression] });
  }
}

/**
 * Carries an acknowledgement to the resources created below its scope after it was given (a grant
 * adds a policy later, say): an Aspect, run before cdk-nag 2.x's own Aspects (which have the
 * default priority), writes the same `cdk_nag` metadata on each. cdk-nag 3.x needs nothing of the
 * kind: it reads `Validations` acknowledgements for the whole subtree when it validates.
 */
export function acknowledgeNagFindingOnLaterResources(scope: IConstruct, id: string, reason: string): void {
  Aspects.of(scope).add({
    visit: (node: IConstruct) => {
      if (CfnResource.isCfnResource(node)) {
        suppressOnResource(node, id, reason);
      }
    },
  }, { priority: AspectPriority.MUTATING });
}

/**
 * The five cdk-nag packs every pattern is held to, by the prefix their rule ids carry: the public
 * `NagPack`, whose values are those prefixes.
 */
export { NagPackPrefix };

/**
 * The three compliance packs (NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1): they often check one
 * AWS control under one rule name, so one acknowledgement answers all three.
 */
export const COMPLIANCE_PACKS: readonly NagPackPrefix[] = [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321];

/**
 * NIST 800-53 R5 and HIPAA Security: the compliance packs with rules PCI DSS 3.2.1 lacks
 * (LambdaConcurrency, ELBDeletionProtectionEnabled, EC2IMDSv2Enabled, RDSInBackupPlan).
 */
export const NIST_AND_HIPAA_PACKS: readonly NagPackPrefix[] = [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY];

/**
 * NIST 800-53 R5 and PCI DSS 3.2.1: the compliance packs that ask for a WAF in front of an API or
 * a load balancer (APIGWAssociatedWithWAF, ALBWAFEnabled).
 */
export const NIST_AND_PCI_PACKS: readonly NagPackPrefix[] = [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.PCI_DSS_321];

/**
 * Acknowledges the same rule of several packs on one construct: HIPAA, NIST and PCI often check
 * one AWS control under one rule name.
 */
export function acknowledgeNagRule(scope: IConstruct, packs: readonly NagPackPrefix[], rule: string, reason: string): void {
  for (const pack of packs) {
    acknowledgeNagFinding(scope, `${pack}-${rule}`, reason);
  }
}

/**
 * How cdk-nag names a resource of a policy statement in a granular finding id
 * (`AwsSolutions-IAM5[Resource::<this text>]`): references become `<AWS::Region>`,
 * `<Bucket1234.Arn>`, joins are joined. For acknowledging a grant whose ARN only tokens know.
 * A reference to another stack's resource reads as such only once the app is prepared: render it
 * then (in a validation), as cdk-nag 3.x reads the synthesized template.
 */
export function nagResourceText(scope: IConstruct, value: string): string {
  const render = (part: unknown): string => {
    if (typeof part === 'string') {
      return part;
    }
    const intrinsic = part as Record<string, any>;
    if ('Ref' in intrinsic) {
      return `<${intrinsic.Ref}>`;
    }
    if ('Fn::GetAtt' in intrinsic) {
      return `<${intrinsic['Fn::GetAtt'].join('.')}>`;
    }
    if ('Fn::Sub' in intrinsic && typeof intrinsic['Fn::Sub'] === 'string') {
      return intrinsic['Fn::Sub'].replace(/\$\{([^}]+)\}/g, '<$1>');
    }
    if ('Fn::Join' in intrinsic) {
      const [separator, parts] = intrinsic['Fn::Join'];
      return (parts as unknown[]).map(render).join(separator);
    }
    // A cross-stack reference, as aws-cdk-lib renders it once the app is prepared: a strong one by
    // its export's name, a weak one (Fn::GetStackOutput, the new-project flags') as its JSON.
    if (typeof intrinsic['Fn::ImportValue'] === 'string') {
      return intrinsic['Fn::ImportValue'];
    }
    if ('Fn::GetStackOutput' in intrinsic) {
      return JSON.stringify(part);
    }
    throw new Error(`cdk-nag's name for ${JSON.stringify(part)} is not known`);
  };
  return render(Stack.of(scope).resolve(value));
}
