/**
 * Reads a cloud assembly (`cdk.out/`) the way the report needs it: every stack at the top and in
 * every stage (a stage is a nested assembly, `assembly-<Stage>/`), each with its nested stacks'
 * templates and its metadata. Only files are read, so any CDK app in any language can be reported on.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Assembly, AssemblyStack, MetadataEntry, NestedStackTemplate, Template, TreeNode } from './model';

const STACK_ARTIFACT = 'aws:cloudformation:stack';
const NESTED_ASSEMBLY_ARTIFACT = 'cdk:cloud-assembly';
const ASSET_MANIFEST_ARTIFACT = 'cdk:asset-manifest';
/** The region of an environment-agnostic stack, in the manifest's `aws://<account>/<region>`. */
const UNKNOWN_REGION = 'unknown-region';

const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, 'utf8'));

/**
 * Reads the assembly in `directory`. Throws, naming the directory, when it holds no cloud assembly:
 * the report is run after `cdk synth`, and an empty report would read as a clean one.
 */
export function readAssembly(directory: string): Assembly {
  const top = path.resolve(directory);
  if (!fs.existsSync(path.join(top, 'manifest.json'))) {
    throw new Error(`${directory} holds no cloud assembly (no manifest.json): run \`cdk synth\` first, or pass the assembly's directory (\`cdk.out\` by default).`);
  }
  const treeFile = path.join(top, 'tree.json');
  return {
    directory: top,
    stacks: stacksOf(top),
    tree: fs.existsSync(treeFile) ? readJson(treeFile).tree : undefined,
  };
}

function stacksOf(directory: string): AssemblyStack[] {
  const manifest = readJson(path.join(directory, 'manifest.json'));
  const artifacts = Object.entries<any>(manifest.artifacts ?? {});
  const assetManifests = artifacts
    .filter(([, a]) => a.type === ASSET_MANIFEST_ARTIFACT)
    .map(([, a]) => readJson(path.join(directory, a.properties.file)));
  // Every file asset by its hash: a nested stack's template is one, named in its TemplateURL.
  const fileAssets = new Map<string, string>();
  for (const assets of assetManifests) {
    for (const [hash, asset] of Object.entries<any>(assets.files ?? {})) {
      fileAssets.set(hash, path.join(directory, asset.source.path));
    }
  }

  // The stacks at this level first, then each stage's, as `cdk ls` lists them.
  const nestedAssemblies = artifacts.filter(([, a]) => a.type === NESTED_ASSEMBLY_ARTIFACT)
    .flatMap(([, a]) => stacksOf(path.join(directory, a.properties.directoryName)));
  return [...artifacts.filter(([, a]) => a.type === STACK_ARTIFACT).map(([id, artifact]) => {
    const templateFile = path.join(directory, artifact.properties.templateFile);
    const template: Template = readJson(templateFile);
    const stackPath: string = artifact.displayName ?? id;
    const region = /^aws:\/\/[^/]*\/(.+)$/.exec(artifact.environment ?? '')?.[1];
    return {
      path: stackPath,
      artifactId: id,
      stackName: artifact.properties.stackName ?? id,
      region: region && region !== UNKNOWN_REGION ? region : undefined,
      assemblyDirectory: directory,
      templateFile,
      template,
      nestedStacks: nestedStacksOf(template, stackPath, directory, fileAssets),
      metadata: metadataOf(directory, id, artifact),
    };
  }), ...nestedAssemblies];
}

/** A stack's metadata: in `<artifact>.metadata.json` (current releases), or inline in the manifest. */
function metadataOf(directory: string, id: string, artifact: any): Record<string, MetadataEntry[]> {
  const file = path.join(directory, `${id}.metadata.json`);
  return fs.existsSync(file) ? readJson(file) : (artifact.metadata ?? {});
}

/**
 * The nested stacks of a template: each `AWS::CloudFormation::Stack` whose template is a file asset
 * of this assembly, found by the asset's path in the resource's metadata (the CLI's default) or by
 * the hash in its TemplateURL. A nested stack of another source (a URL to an existing template) has
 * no template here and is left out.
 */
function nestedStacksOf(template: Template, parentPath: string, directory: string, fileAssets: Map<string, string>): NestedStackTemplate[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack')
    .flatMap(([logicalId, resource]) => {
      const assetPath = resource.Metadata?.['aws:asset:path'];
      const hash = /([0-9a-f]{64})\.json/.exec(JSON.stringify(resource.Properties?.TemplateURL ?? ''))?.[1];
      const templateFile = typeof assetPath === 'string' ? path.join(directory, assetPath) : (hash ? fileAssets.get(hash) : undefined);
      if (!templateFile || !fs.existsSync(templateFile)) {
        return [];
      }
      const nested: Template = readJson(templateFile);
      // `Api/Tables.NestedStack/Tables.NestedStackResource` is the resource of nested stack `Api/Tables`.
      const resourcePath: string | undefined = resource.Metadata?.['aws:cdk:path'];
      const nestedPath = resourcePath ? resourcePath.replace(/\.NestedStack\/.*$/, '') : `${parentPath}/${logicalId}`;
      return [{
        path: nestedPath,
        logicalId,
        templateFile,
        template: nested,
        nestedStacks: nestedStacksOf(nested, nestedPath, directory, fileAssets),
      }];
    });
}

/** A stack's template and every nested stack's below it, the stack's first. */
export function templatesOf(stack: AssemblyStack): Array<{ path: string; template: Template }> {
  const below = (nested: NestedStackTemplate[]): Array<{ path: string; template: Template }> =>
    nested.flatMap((n) => [{ path: n.path, template: n.template }, ...below(n.nestedStacks)]);
  return [{ path: stack.path, template: stack.template }, ...below(stack.nestedStacks)];
}

/** The node of `tree.json` at a construct path (`Prod/Api`), if the tree has it. */
export function treeNodeAt(tree: TreeNode | undefined, constructPath: string): TreeNode | undefined {
  let node = tree;
  for (const id of constructPath.split('/')) {
    node = node?.children?.[id];
  }
  return node;
}
