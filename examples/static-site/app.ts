import * as path from 'path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { NagPacks, StaticWebsite } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets the stage of every pattern through the library's context key, and
// `-c cdk-best-practice-patterns:stage=dev` (or `=prod`) overrides it. Each stack's alarms notify
// its alarm topic; `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you.
// `-c domainName=www.example.com -c hostedZoneId=Z... -c zoneName=example.com` serves the site on
// your own domain, with a certificate the pattern requests.
const domainName: string | undefined = app.node.tryGetContext('domainName');
const hostedZoneId: string | undefined = app.node.tryGetContext('hostedZoneId');
const zoneName: string | undefined = app.node.tryGetContext('zoneName');

// us-east-1: where CloudFront publishes its metrics (so the site gets alarms), takes its
// certificates from and creates web ACLs.
const stack = new Stack(app, 'StaticSiteExample', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: 'us-east-1' },
  description: 'cdk-best-practice-patterns example: a static website, a private S3 bucket behind CloudFront',
});

const site = new StaticWebsite(stack, 'Site', {
  sources: [s3deploy.Source.asset(path.join(__dirname, 'site'))],
  errorDocument: '404.html',
  ...(domainName && hostedZoneId && zoneName ? {
    domainNames: [domainName],
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId, zoneName }),
  } : {}),
});

new CfnOutput(stack, 'SiteUrl', { value: site.url, description: 'Open it in a browser' });
new CfnOutput(stack, 'BucketName', { value: site.bucket.bucketName, description: 'Only the distribution may read it' });

// The five cdk-nag packs the library holds itself to, in one line; `npm run synth` reports on them.
NagPacks.enable(app);
