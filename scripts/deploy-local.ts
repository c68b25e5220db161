/**
 * Deploys an example to a local moto server, so it can be deployed and explored without an AWS
 * account:
 *
 *   npm run deploy:local -- <example> [--no-wait] [cdk synth options, e.g. -c cdk-best-practice-patterns:stage=dev]
 *
 * It synthesizes the example with the aws-cdk CLI (options such as `-c cdk-best-practice-patterns:stage=dev` go to it), starts
 * moto_server on a free loopback port, and deploys each stack as the emulator suites do: bootstrap
 * resources and file assets as `cdk bootstrap` and `cdk deploy` would, then CreateStack, answering
 * the callbacks of custom resources (their handlers need Docker). Where moto cannot take the
 * template as synthesized, the harness changes it first and says so (forMoto in
 * test/emulator/moto-server.ts): the callers of a HardenedFunction's alias, and the policies,
 * state machines and rules holding its ARN, are pointed at its function (moto has no aliases); a
 * database's managed master user secret becomes a stand-in secret; outputs that read what moto
 * does not have are removed. The stacks of every stage are deployed in dependency order, so each
 * `Fn::GetStackOutput` (a split app's weak cross-stack reference, which moto does not implement)
 * becomes the producer's output as moto already has it. Once deployed, it subscribes the SNS subscriptions moto's
 * CloudFormation skips, prints what moto did not create, and keeps moto running for the AWS CLI
 * until Ctrl-C, or, with `--no-wait`, stops it and exits 0 (to check that an example deploys).
 * Everything lives in moto's memory and is gone when it stops.
 *
 * It used to run `cdk deploy --method=direct` against moto; the CLI cannot change the template on
 * the way, and a HardenedFunction's alias, which moto skips, fails the whole stack there.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  deployArtifact,
  launchMotoServer,
  logicalIdsOfType,
  motoClientConfig,
  REGION,
  subscribeSkippedSubscriptions,
} from '../test/emulator/moto-server';

const ROOT = path.join(__dirname, '..');
const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples'))
  .filter((name) => fs.existsSync(path.join(ROOT, 'examples', name, 'cdk.json')));

async function main(): Promise<void> {
  const [example, ...options] = process.argv.slice(2);
  const noWait = options.includes('--no-wait');
  const cdkArgs = options.filter((option) => option !== '--no-wait');
  if (!example || !EXAMPLES.includes(example)) {
    throw new Error(
      `Usage: npm run deploy:local -- <example> [--no-wait] [cdk synth options]; example is ${example ?? 'missing'}, it must be one of ${EXAMPLES.join(', ')}`,
    );
  }

  const assemblyDir = path.join(ROOT, 'build', 'deploy-local', example);
  fs.rmSync(assemblyDir, { recursive: true, force: true });
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', assemblyDir, ...cdkArgs], {
    cwd: path.join(ROOT, 'examples', example),
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true' },
    stdio: 'inherit',
  });
  if (synth.status !== 0) throw new Error(`cdk synth of examples/${example} failed`);

  const logFile = path.join(ROOT, 'build', 'moto-deploy-local.log');
  const { endpoint, server } = await launchMotoServer({ detached: false, logFile });
  process.env.MOTO_ENDPOINT = endpoint;
  const stop = () => server.kill();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => { stop(); process.exit(0); });
  try {
    const assembly = new cxapi.CloudAssembly(assemblyDir);
    for (const artifact of assembly.stacksRecursively) {
      const deployed = await deployArtifact(artifact, artifact.stackName);
      const created = deployed.resources.filter((r) => r.physicalId).length;
      console.log(`\n${deployed.stackName}: moto created ${created} of ${deployed.resources.length} resources.`);
      console.log(`  Skipped by moto's CloudFormation: ${deployed.skippedTypes.join(', ') || 'none'}`);
      if (deployed.answeredCustomResources.length > 0) {
        console.log(`  Custom resources answered without running their handlers: ${deployed.answeredCustomResources.join(', ')}`);
      }
      if (deployed.redirectedFromAliases.length > 0) {
        console.log(`  Pointed at their function instead of its alias (moto has none): ${deployed.redirectedFromAliases.join(', ')}`);
      }
      for (const change of deployed.changedForMoto) console.log(`  Changed for moto: ${change}`);
      if (logicalIdsOfType(deployed, 'AWS::SNS::Subscription').length > 0) {
        const arns = await subscribeSkippedSubscriptions(deployed);
        console.log(
          `  Subscribed through the SNS API instead: ${Object.keys(arns).length} subscriptions, with their filter policies and raw delivery.`,
        );
      }
    }
    if (noWait) {
      console.log('\nDeployed; --no-wait, so moto stops now.');
      stop();
      return;
    }
    const { credentials } = motoClientConfig();
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
