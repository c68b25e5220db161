import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AlbAutoScalingGroup, MultiAzVpc, NagPacks } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets the stage of every pattern through the library's context key, and
// `-c cdk-best-practice-patterns:stage=dev` (or `=prod`) overrides it. Each stack's alarms notify
// its alarm topic; `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you.
// `-c certificateArn=arn:aws:acm:...` serves HTTPS; without one, the example opts in to plain HTTP.
const certificateArn: string | undefined = app.node.tryGetContext('certificateArn');

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const stack = new Stack(app, 'WebAppExample', {
  env: account && region ? { account, region } : undefined,
  description: 'cdk-best-practice-patterns example: a load-balanced, auto-scaled web tier in a three-tier VPC',
});

const network = new MultiAzVpc(stack, 'Network');

// Runs once at first boot, as root: nginx serving a page and the health check path.
const userData = ec2.UserData.forLinux();
userData.addCommands(
  'dnf install -y nginx',
  'TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")',
  'AZ=$(curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/placement/availability-zone)',
  'echo "<h1>Hello from $AZ</h1>" > /usr/share/nginx/html/index.html',
  'echo ok > /usr/share/nginx/html/health',
  'systemctl enable --now nginx',
);

const web = new AlbAutoScalingGroup(stack, 'Web', {
  vpc: network.vpc,
  userData,
  healthCheckPath: '/health',
  ...(certificateArn
    ? { certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn) }
    : { allowInsecureHttp: true }),
});

new CfnOutput(stack, 'Url', { value: web.url, description: 'Open this once the targets are healthy' });

// The five cdk-nag packs the library holds itself to, in one line; `npm run synth` reports on them.
NagPacks.enable(app);
