import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DeploymentStage, isProduction } from './deployment-stage';
import { PropValidator } from './prop-validator';

/**
 * What a pattern whose alarms watch metrics published only in us-east-1 (CloudFront's, Route 53's
 * health checks') says about its stack's region.
 */
export interface UsEast1Metrics {
  /** The pattern, in the error: `StaticWebsite`. */
  readonly kind: string;
  /** Who publishes what, in both messages: `CloudFront publishes its metrics`. */
  readonly publisher: string;
  /** Why PROD needs us-east-1, after "only in us-east-1": `, where the alarms on them must be, ...`. */
  readonly why: string;
  /** What to deploy there, in both messages: `the site's stack`. */
  readonly stackOf: string;
  /** What the error adds after the fix, in parentheses, if anything. */
  readonly note?: string;
}

/**
 * Records an error when a PROD pattern's stack is not in us-east-1, known at synth. A CloudWatch
 * alarm watches only its own region's metrics (aws-cdk #30483), so alarms on metrics published
 * only in us-east-1 must be there; elsewhere they would never fire. An env-agnostic stack is
 * refused too: it deploys wherever the CLI points, and the pattern must know at synth what it can
 * create. DEV goes without the alarms, with the warning of `warnOutsideUsEast1`.
 */
export function checkProductionInUsEast1(v: PropValidator, stage: DeploymentStage | undefined, region: string, stack: string,
  metrics: UsEast1Metrics): void {
  if (!isProduction(stage)) {
    return;
  }
  const agnostic = Token.isUnresolved(region);
  v.check(region === 'us-east-1', `the region of stack '${stack}'`, agnostic ? undefined : region,
    `us-east-1 for a PROD ${metrics.kind}${agnostic ? ', known at synth (an env-agnostic stack deploys wherever the CLI points)' : ''}:`
    + ` ${metrics.publisher} only in us-east-1${metrics.why}. Deploy ${metrics.stackOf} with env: { region: 'us-east-1' }`
    + (metrics.note ? ` (${metrics.note})` : ''));
}

/**
 * The warning of a DEV pattern outside us-east-1 (or in an env-agnostic stack), which has no alarms
 * there (see `checkProductionInUsEast1`). `id` lets a user acknowledge it.
 */
export function warnOutsideUsEast1(scope: IConstruct, id: string, region: string, metrics: UsEast1Metrics): void {
  Annotations.of(scope).addWarningV2(id, `${scope.node.path} is DEV in a stack whose region is `
    + `${Token.isUnresolved(region) ? 'unknown at synth (env-agnostic)' : region}, so it has no alarms: ${metrics.publisher} `
    + `in us-east-1 only, and a CloudWatch alarm watches only its own region's. PROD refuses this; deploy ${metrics.stackOf} with `
    + "env: { region: 'us-east-1' } to keep them.");
}
