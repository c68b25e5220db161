import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { MultiAzVpc, NagPacks } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets the stage of every pattern through the library's context key, and
// `-c cdk-best-practice-patterns:stage=dev` (or `=prod`) overrides it. Each stack's alarms notify
// its alarm topic; `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you.

// With an account and region, the VPC spans 3 AZs; an env-agnostic stack only gets 2.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const stack = new Stack(app, 'NetworkExample', {
  env: account && region ? { account, region } : undefined,
  description: 'cdk-best-practice-patterns example: a three-tier VPC over several Availability Zones',
});

new MultiAzVpc(stack, 'Network', {
  // PrivateLink to Systems Manager, so private instances are managed without a route to the internet.
  interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SSM, ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES],
});

// The five cdk-nag packs the library holds itself to, in one line; `npm run synth` reports on them.
NagPacks.enable(app);
