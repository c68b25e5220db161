import * as path from 'path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AlbFargateService, MultiAzVpc, NagPacks } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets the stage of every pattern through the library's context key, and
// `-c cdk-best-practice-patterns:stage=dev` (or `=prod`) overrides it. Each stack's alarms notify
// its alarm topic; `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you.
// HTTPS: `-c domainName=app.example.com -c hostedZoneId=Z... -c zoneName=example.com` requests a
// certificate and the alias record; `-c certificateArn=arn:aws:acm:...` uses yours. Without
// either, the example opts in to plain HTTP.
const domainName: string | undefined = app.node.tryGetContext('domainName');
const hostedZoneId: string | undefined = app.node.tryGetContext('hostedZoneId');
const zoneName: string | undefined = app.node.tryGetContext('zoneName');
const certificateArn: string | undefined = app.node.tryGetContext('certificateArn');

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const stack = new Stack(app, 'ContainerServiceExample', {
  env: account && region ? { account, region } : undefined,
  description: 'cdk-best-practice-patterns example: a containerized HTTP service on Fargate behind a public load balancer',
});

const network = new MultiAzVpc(stack, 'Network');

function front() {
  if (domainName && hostedZoneId && zoneName) {
    return { domainName, hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId, zoneName }) };
  }
  if (certificateArn) {
    return { certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn) };
  }
  return { allowInsecureHttp: true };
}

// The image is built from ./app at deploy time (`cdk deploy` needs Docker; `cdk synth` does not),
// for ARM64, which the service runs on.
const service = new AlbFargateService(stack, 'Service', {
  vpc: network.vpc,
  image: ecs.ContainerImage.fromAsset(path.join(__dirname, 'app'), { platform: ecrAssets.Platform.LINUX_ARM64 }),
  healthCheckPath: '/health',
  ...front(),
});

new CfnOutput(stack, 'Url', { value: service.url, description: 'Open this once the tasks are healthy' });

// The five cdk-nag packs the library holds itself to, in one line; `npm run synth` reports on them.
NagPacks.enable(app);

