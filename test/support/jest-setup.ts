// aws-cdk-lib validates every synthesized template against CloudFormation's schemas, which costs
// more than building and synthesizing a pattern. Each pattern's template-validity test still runs
// that validation explicitly (test/support/cfn-validation.ts registers the plugin, which ignores
// this variable); everywhere else it is switched off. Measured on 2 cores: jest 83 s -> 53 s.
process.env.CDK_VALIDATION = 'false';
