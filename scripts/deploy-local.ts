/**
 * Deploys an example to a local moto server, so it can be deployed and explored without an AWS
 * account:
 *
 *   npm run deploy:local -- <example> [cdk deploy options, e.g. -c stage=dev]
 *
 * It starts moto_server on a free loopback port, bootstraps it as `cdk bootstrap` would, and runs
 * `cdk deploy --method=direct` with the CLI pointed at it. While the CLI waits, it answers the
 * callbacks of custom resources (their handlers need Docker, which moto would run them in). Once
 * deployed, it subscribes the SNS subscriptions moto's CloudFormation skips, prints what moto did
 * not create, and keeps moto running for the AWS CLI until Ctrl-C. Everything lives in moto's
 * memory and is gone when it stops.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CloudFormationClient, GetTemplateCommand, ListStacksCommand, StackStatus } from '@aws-sdk/client-cloudformation';
import {
  answerCustomResources,
  bootstrapMoto,
  describeDeployedStack,
  launchMotoServer,
  logicalIdsOfType,
  motoClientConfig,
  REGION,
  subscribeSkippedSubscriptions,
} from '../test/emulator/moto-server';

const ROOT = path.join(__dirname, '..');
const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples'))
  .filter((name) => fs.existsSync(path.join(ROOT, 'examples', name, 'cdk.json')));

async function stacks(status: StackStatus): Promise<{ name: string; id: string }[]> {
  const cloudFormation = new CloudFormationClient(motoClientConfig());
  const { StackSummaries = [] } = await cloudFormation.send(new ListStacksCommand({ StackStatusFilter: [status] }));
  return StackSummaries.map((s) => ({ name: s.StackName!, id: s.StackId! }));
}

async function template(stackName: string): Promise<any> {
  const { TemplateBody } = await new CloudFormationClient(motoClientConfig()).send(new GetTemplateCommand({ StackName: stackName }));
  return JSON.parse(TemplateBody!);
}

/** Answers each creating stack's custom resources once, until `deploying` settles. */
async function answerWhile(deploying: Promise<number>): Promise<Map<string, string[]>> {
  const answered = new Map<string, string[]>();
  let done = false;
  void deploying.finally(() => { done = true; });
  while (!done) {
    for (const stack of await stacks(StackStatus.CREATE_IN_PROGRESS)) {
      if (answered.has(stack.id)) continue;
      // moto may still be creating the stack's resources; a refused answer is retried next round.
      const ids = await answerCustomResources(await template(stack.name), stack.id).catch(() => undefined);
      if (ids) answered.set(stack.id, ids);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return answered;
}

async function main(): Promise<void> {
  const [example, ...cdkArgs] = process.argv.slice(2);
  if (!example || !EXAMPLES.includes(example)) {
    throw new Error(
      `Usage: npm run deploy:local -- <example> [cdk deploy options]; example is ${example ?? 'missing'}, it must be one of ${EXAMPLES.join(', ')}`,
    );
  }

  const logFile = path.join(ROOT, 'build', 'moto-deploy-local.log');
  const { endpoint, server } = await launchMotoServer({ detached: false, logFile });
  process.env.MOTO_ENDPOINT = endpoint;
  const stop = () => server.kill();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => { stop(); process.exit(0); });
  try {
    await bootstrapMoto();
    const { credentials } = motoClientConfig();
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: endpoint,
      // The CLI hands CloudFormation the template's S3 URL; moto serves that address from its own S3.
      AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: `https://s3.${REGION}.amazonaws.com`,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_PROFILE: '',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      CDK_DISABLE_VERSION_CHECK: 'true',
    };
    const cdk = spawn('npx', ['cdk', 'deploy', '--all', '--method=direct', '--require-approval', 'never', '--no-notices', ...cdkArgs], {
      cwd: path.join(ROOT, 'examples', example),
      env,
      stdio: 'inherit',
    });
    const deploying = new Promise<number>((resolve) => cdk.on('exit', (code) => resolve(code ?? 1)));
    const answered = await answerWhile(deploying);
    if (await deploying !== 0) throw new Error(`cdk deploy of examples/${example} failed`);

    for (const stack of await stacks(StackStatus.CREATE_COMPLETE)) {
      const deployed = await describeDeployedStack(stack.name, stack.id, await template(stack.name), answered.get(stack.id) ?? []);
      const created = deployed.resources.filter((r) => r.physicalId).length;
      console.log(`\n${stack.name}: moto created ${created} of ${deployed.resources.length} resources.`);
      console.log(`  Skipped by moto's CloudFormation: ${deployed.skippedTypes.join(', ') || 'none'}`);
      if (deployed.answeredCustomResources.length > 0) {
        console.log(`  Custom resources answered without running their handlers: ${deployed.answeredCustomResources.join(', ')}`);
      }
      if (logicalIdsOfType(deployed, 'AWS::SNS::Subscription').length > 0) {
        const arns = await subscribeSkippedSubscriptions(deployed);
        console.log(
          `  Subscribed through the SNS API instead: ${Object.keys(arns).length} subscriptions, with their filter policies and raw delivery.`,
        );
      }
    }
    console.log([
      '',
      `moto is serving on ${endpoint}. In another shell:`,
      `  export AWS_ENDPOINT_URL=${endpoint} AWS_REGION=${REGION}`
        + ` AWS_ACCESS_KEY_ID=${credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}`,
      '  aws cloudformation describe-stack-resources --stack-name <stack>',
      'Policies are not enforced and nothing runs in Lambda or on EC2 here. Press Ctrl-C to stop moto; everything is in its memory.',
      `moto's own log: ${path.relative(process.cwd(), logFile)}`,
    ].join('\n'));
  } catch (error) {
    stop();
    throw error;
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
