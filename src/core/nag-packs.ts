import * as path from 'path';
import { Aspects, Stack, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NAG_PACKS_METADATA } from './report-metadata';

/**
 * A cdk-nag rule pack.
 */
export enum NagPack {
  /** AWS Solutions: the AWS Solutions Library's checks. */
  AWS_SOLUTIONS = 'AwsSolutions',
  /** Serverless: operational best practices of serverless applications. */
  SERVERLESS = 'Serverless',
  /** NIST 800-53 revision 5. */
  NIST_800_53_R5 = 'NIST.800.53.R5',
  /** HIPAA Security. */
  HIPAA_SECURITY = 'HIPAA.Security',
  /** PCI DSS 3.2.1. */
  PCI_DSS_321 = 'PCI.DSS.321',
}

/** Each pack's class, as both cdk-nag majors export it. */
const PACK_CLASSES: Record<NagPack, string> = {
  [NagPack.AWS_SOLUTIONS]: 'AwsSolutionsChecks',
  [NagPack.SERVERLESS]: 'ServerlessChecks',
  [NagPack.NIST_800_53_R5]: 'NIST80053R5Checks',
  [NagPack.HIPAA_SECURITY]: 'HIPAASecurityChecks',
  [NagPack.PCI_DSS_321]: 'PCIDSS321Checks',
};

/**
 * Options of `NagPacks.enable`.
 */
export interface NagPacksProps {
  /**
   * The packs to turn on.
   *
   * @default - all five: AwsSolutions, Serverless, NIST.800.53.R5, HIPAA.Security and PCI.DSS.321,
   * the packs every pattern of this library is held to.
   */
  readonly packs?: NagPack[];

  /**
   * Whether cdk-nag explains each finding at length.
   *
   * @default false
   */
  readonly verbose?: boolean;
}

/**
 * Turns on cdk-nag's rule packs for an app in one line, with whichever cdk-nag major the app has
 * installed, so that every finding and every acknowledgement is in the cloud assembly for
 * `npx cdk-best-practice-patterns report` to read.
 *
 * cdk-nag is an optional peer dependency, loaded only here: install it in your app
 * (`npm install --save-dev cdk-nag`; 3.x, or 2.x from 2.38.2). It is not declared in the package's
 * manifest, since jsii would make it a required dependency in every other language.
 * - cdk-nag 3.x runs as policy-validation plugins of the app (`Validations.of(app).addPlugins`):
 *   aws-cdk-lib writes its findings to `cdk.out/validation-report.json`, stages included.
 * - cdk-nag 2.x runs as Aspects, which do not cross into a `Stage`: the packs are added to the app
 *   and to every stage below it, and write their reports as JSON beside the templates. Call this
 *   after the last stage is defined; a stage created later fails the synth with a message saying so,
 *   rather than going unchecked.
 *
 * Either way `cdk synth` fails while a finding is unacknowledged; the assembly is still written, and
 * the report tells what to do about each finding.
 *
 * @example
 * import { NagPacks } from 'cdk-best-practice-patterns';
 *
 * const app = new App();
 * // ... the app's stacks and stages ...
 * NagPacks.enable(app);
 */
export class NagPacks {
  /**
   * Turns on cdk-nag's packs for every stack of an app or a stage.
   *
   * @param scope the app (or a stage): packs apply to every stack below it.
   * @param props which packs, and how verbose.
   */
  public static enable(scope: IConstruct, props: NagPacksProps = {}): void {
    if (!Stage.isStage(scope)) {
      throw new Error(`NagPacks.enable(scope): scope must be the App or a Stage, and ${scope.node.path} is not: packs apply to every stack of an app.`);
    }
    const packs = props.packs ?? Object.values(NagPack);
    const known = Object.values(NagPack) as string[];
    const unknown = packs.filter((p) => !known.includes(p));
    if (unknown.length > 0 || packs.length === 0) {
      throw new Error(`NagPacks.enable(props.packs): ${unknown.length ? `unknown pack(s) ${unknown.map((p) => `'${p}'`).join(', ')}` : 'no pack given'}; the packs are ${known.join(', ')}.`);
    }
    const nag = loadCdkNag();
    const stages = [scope, ...scope.node.findAll().filter((c): c is Stage => c !== scope && Stage.isStage(c))];
    const covered = new Set<IConstruct>(stages);

    if (nag.major === 3) {
      Validations.of(scope).addPlugins(...packs.map((pack) => new nag.module[PACK_CLASSES[pack]](scope, { verbose: props.verbose ?? false })));
    }
    for (const stage of stages) {
      if (nag.major === 2) {
        // JSON reports, which `report` reads along with each finding's acknowledgement and reason.
        const options = { verbose: props.verbose ?? false, reportFormats: [nag.module.NagReportFormat.JSON] };
        packs.forEach((pack) => Aspects.of(stage).add(new nag.module[PACK_CLASSES[pack]](options)));
      }
      Aspects.of(stage).add(new RecordPacks(packs));
    }

    // A stage defined after this call: 2.x's Aspects (and the record of the packs) never reach it.
    scope.node.addValidation({
      validate: () => scope.node.findAll()
        .filter((c) => Stage.isStage(c) && !covered.has(c))
        .map((stage) => `Stage ${stage.node.path} was defined after NagPacks.enable(${scope.node.path || 'app'}), so cdk-nag does not check it: call NagPacks.enable after defining every stage.`),
    });
  }

  private constructor() {}
}

/**
 * Records on each stack which packs ran, in its metadata: a pack that finds nothing leaves no trace
 * in cdk-nag 3.x's report, and the report must tell "0 findings" from "not checked".
 */
class RecordPacks {
  constructor(private readonly packs: NagPack[]) {}

  public visit(node: IConstruct): void {
    if (Stack.isStack(node) && !node.nested && !node.node.metadata.some((m) => m.type === NAG_PACKS_METADATA)) {
      node.node.addMetadata(NAG_PACKS_METADATA, [...this.packs]);
    }
  }
}

/** The oldest cdk-nag 2.x the library is tested with. */
const MINIMUM_NAG_V2 = '2.38.2';

function installedVersion(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    return require('cdk-nag/package.json').version;
  } catch {
    return undefined;
  }
}

/** Compares two `major.minor.patch` versions (pre-release tags ignored). */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('-')[0].split('.').map(Number));
  for (let i = 0; i < 3; i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return 0;
}

interface CdkNag {
  readonly major: 2 | 3;
  readonly module: any;
}

/**
 * Loads the app's cdk-nag. It is an optional peer dependency, so its absence is a clear error, and
 * it must use the app's own aws-cdk-lib: a cdk-nag 2.x with a copy of its own recognizes none of the
 * app's resources and silently reports nothing.
 */
function loadCdkNag(): CdkNag {
  let module: any;
  try {
    // The app's cdk-nag, an optional peer the manifest does not declare (see the class's docs).
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    module = require('cdk-nag');
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error('NagPacks.enable needs cdk-nag, an optional peer dependency of cdk-best-practice-patterns: install it in your app '
      + '(npm install --save-dev cdk-nag; 3.x, or 2.x from 2.38.2) and synthesize again.');
  }
  const pack = module.AwsSolutionsChecks?.prototype;
  const major = typeof pack?.validate === 'function' ? 3 : typeof pack?.visit === 'function' ? 2 : undefined;
  if (!major) {
    throw new Error('NagPacks.enable: the installed cdk-nag is neither a 3.x (validation plugins) nor a 2.x (Aspects) release it knows.');
  }
  // The library's acknowledgements reach cdk-nag 2.x as the `cdk_nag` metadata 2.38.2 reads.
  const version = installedVersion();
  if (major === 2 && version && compareVersions(version, MINIMUM_NAG_V2) < 0) {
    throw new Error(`NagPacks.enable: cdk-nag ${version} is installed; 2.x releases from ${MINIMUM_NAG_V2} (or 3.x) are supported: upgrade it.`);
  }
  const cdkLibOf = (from: string) => {
    try {
      return require.resolve('aws-cdk-lib', { paths: [from] });
    } catch {
      return undefined;
    }
  };
  const theirs = cdkLibOf(path.dirname(require.resolve('cdk-nag')));
  const ours = cdkLibOf(__dirname);
  if (theirs && ours && theirs !== ours) {
    throw new Error(`NagPacks.enable: cdk-nag loads aws-cdk-lib from ${theirs}, and the app uses ${ours}: cdk-nag would not recognize `
      + "the app's resources. Install one aws-cdk-lib (npm dedupe, or align the versions) so both load the same copy.");
  }
  return { major, module };
}
