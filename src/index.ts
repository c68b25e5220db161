// The public API. src/core's helpers (validation, acknowledgements, alarm routing, the stack's
// operations) stay internal.
export { DeploymentStage } from './core/deployment-stage';
export * from './core/pattern-props';
export { PatternDefaults } from './core/pattern-defaults';
export type { PatternDefaultsProps } from './core/pattern-defaults';
export { NagAcknowledgements } from './core/nag-acknowledgements';
export { NagPack, NagPacks } from './core/nag-packs';
export type { NagPacksProps } from './core/nag-packs';
export { GuardedKey } from './core/keys';
export type { GuardedKeyProps } from './core/keys';
export * from './building-blocks/dead-letter-queue';
export * from './building-blocks/hardened-backup-plan';
export * from './building-blocks/hardened-function';
export * from './building-blocks/load-balanced-web-tier';
export type { PublicLoadBalancerProps } from './building-blocks/public-load-balancer';
export * from './networking/multi-az-vpc';
export * from './messaging/queue-with-dead-letter-queue';
export * from './messaging/sns-fan-out';
export * from './web/alb-auto-scaling-group';
export * from './serverless/lambda-api-props';
export * from './serverless/lambda-backed-api';
export * from './serverless/rest-api-lambda';
export * from './serverless/http-api-lambda';
export * from './edge/static-website';
export * from './events/event-rule-with-dead-letter-queue';
export * from './events/step-functions-workflow';
export * from './data/relational-database';
export * from './containers/alb-fargate-service';
