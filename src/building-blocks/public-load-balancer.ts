import { Aws, CfnCondition, CfnMapping, Duration, Fn, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { createAccessLogBucket } from '../core/access-log-bucket';
import { PatternAlarmOptions } from '../core/alarms';
import { certificateLocation } from '../core/certificates';
import { checkDomainName } from '../core/domain-names';
import { createLogEncryptionKey } from '../core/log-encryption';
import { acknowledgeNagFinding, acknowledgeNagRule, COMPLIANCE_PACKS, NIST_AND_HIPAA_PACKS, NIST_AND_PCI_PACKS } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';
import { associateWebAcl, checkRegionalWebAclArn, protectWithManagedRules } from '../core/web-acl';

/**
 * What the public front of a web tier (AlbAutoScalingGroup, AlbFargateService) accepts: its load
 * balancer, listeners, domain, WAF and alarms.
 */
export interface PublicLoadBalancerProps extends PatternProps {
  /**
   * The VPC: the load balancer goes in its public subnets, the targets in its private subnets
   * with egress.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The certificate for the HTTPS listener. Port 80 then only redirects to HTTPS.
   *
   * @default - the certificate requested for `domainName` with `hostedZone`; else none, and
   * `allowInsecureHttp` must say so
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The host name the service answers on, such as app.example.com (not a wildcard).
   *
   * With `hostedZone` the pattern requests a DNS-validated certificate for it (unless `certificate`
   * is given) and creates its A alias record. No AAAA record: the load balancer is IPv4-only.
   *
   * @default - none: the load balancer's own DNS name
   */
  readonly domainName?: string;

  /**
   * More host names that the certificate requested for `domainName` covers (its subject
   * alternative names), without records: names another construct routes to this load balancer.
   * Two regional fronts behind a DnsRouting failover each answer on their own name
   * (`domainName: 'app-us-east-1.example.com'`, with its alias record) and on the routed name
   * (`alternativeDomainNames: ['app.example.com']`, whose failover records DnsRouting owns).
   *
   * Names in `hostedZone` (a leading `*.` for a wildcard), none twice and none equal to
   * `domainName`, at most 9: ACM's default quota is 10 names per certificate, `domainName`
   * included. Only with `domainName` and `hostedZone` and without `certificate`: a given
   * certificate's names are decided where it is created. ACM validates each name by DNS in
   * `hostedZone`, as it does `domainName`.
   *
   * @default - none: the certificate covers `domainName` only
   */
  readonly alternativeDomainNames?: string[];

  /**
   * The public hosted zone `domainName` belongs to.
   *
   * @default - none; required with `domainName`
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * The TLS policy of the HTTPS listener.
   *
   * @default elbv2.SslPolicy.RECOMMENDED_TLS (TLS 1.2 and 1.3)
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * Serve plain HTTP on port 80 without a certificate. Traffic is then readable on the way, so
   * use it only for sandboxes and demos.
   *
   * @default false
   */
  readonly allowInsecureHttp?: boolean;

  /**
   * The IPv4 CIDR blocks allowed to reach the load balancer.
   *
   * @default ['0.0.0.0/0']
   */
  readonly allowedCidrs?: string[];

  /**
   * An existing regional WAF web ACL to associate with the load balancer.
   *
   * @default - in PROD a new web ACL with AWS managed rule groups; in DEV none
   */
  readonly webAclArn?: string;

  /**
   * How long the load balancer waits for in-flight requests before deregistering a target, from
   * 0 to 3600 seconds. Set it to the longest request you serve.
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * Alarm when the p99 target response time exceeds this (named as in the API patterns; formerly
   * `responseTimeP99Threshold`). A value known only at deploy time must be given as
   * `Duration.seconds(...)`: the alarm compares seconds.
   *
   * @default Duration.seconds(1)
   */
  readonly latencyP99Threshold?: Duration;

  /**
   * Alarm when the targets answer more 5xx responses than this in 5 minutes.
   *
   * @default 10
   */
  readonly target5xxThreshold?: number;

  /**
   * Alarm when the load balancer itself answers more 5xx responses than this in 5 minutes.
   *
   * @default 10
   */
  readonly loadBalancer5xxThreshold?: number;
}

/** How a front's alarms name its targets: 'An instance' and 'The instances', 'A task' and 'The tasks'. */
export interface TargetNames {
  readonly one: string;
  readonly all: string;
}

/**
 * ACM's default quota of domain names per certificate, the one it is requested for included
 * (https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html); an account may have it raised.
 */
const MAX_NAMES_PER_CERTIFICATE = 10;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IAM_SERVER_CERTIFICATE_ARN = /^arn:[a-z-]+:iam::\d{12}:server-certificate\/.+$/;

/**
 * The public front both web tiers share: an internet-facing Application Load Balancer over the
 * public subnets, HTTPS with a modern TLS policy and a port-80 redirect (plain HTTP only by
 * `allowInsecureHttp`), a security group admitting the allowed CIDRs on the listener ports and
 * reaching only the targets, invalid headers dropped and desync mitigation, access logs,
 * deletion protection and a managed-rules WAF in PROD, an optional custom domain, and the
 * unhealthy-host, 5xx and p99-latency alarms of its target group, which it owns (`alarms`) and
 * which join the pattern's alarms and dashboard section.
 *
 * A construct inside the pattern, created with the id `Default`: aws-cdk-lib leaves a path
 * component named `Default` out of logical ids (`HIDDEN_ID` in
 * https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/core/lib/private/uniqueid.ts;
 * `Names.uniqueResourceName` and constructs' `node.addr` skip it too), so its resources keep the
 * logical ids they had when the patterns created them directly, and nothing is replaced. Only
 * construct paths gain the `Default` component (`Stack/Web/LoadBalancer` is now
 * `Stack/Web/Default/LoadBalancer`), and with them what aws-cdk-lib orders by path (a resource's
 * `DependsOn` list). What an operator reads (descriptions, the certificate's Name tag) still names
 * the pattern, not the front. As the `Default` child, the front is the patterns'
 * `node.defaultChild`.
 *
 * Internal: LoadBalancedWebTier creates it (`_createFront`) and exposes its resources as the patterns' properties.
 */
export class PublicLoadBalancer extends Construct {
  /**
   * Records every invalid front prop of a pattern on its validator.
   */
  public static validate(v: PropValidator, props: PublicLoadBalancerProps, allowedCidrs: string[]): void {
    const certificate = props.certificate !== undefined || (props.domainName !== undefined && props.hostedZone !== undefined);
    v.check(certificate || props.allowInsecureHttp === true, 'certificate', undefined,
      'an ACM certificate for the HTTPS listener (request one with certificatemanager.Certificate and DNS validation, '
      + 'import one with Certificate.fromCertificateArn, or give domainName with hostedZone); or set allowInsecureHttp: true for plain HTTP in a sandbox');
    v.check(!(certificate && props.allowInsecureHttp), 'allowInsecureHttp', props.allowInsecureHttp,
      'left unset with a certificate (port 80 then only redirects to HTTPS)');
    if (props.certificate) {
      PublicLoadBalancer.validateCertificateRegion(v, props.certificate, props.vpc);
    }
    if (props.domainName !== undefined) {
      checkDomainName(v, 'domainName', props.domainName, props.hostedZone);
      v.check(!props.domainName.startsWith('*.'), 'domainName', props.domainName, 'one host name, not a wildcard: the alias record and the URL name one host');
      v.check(props.hostedZone !== undefined, 'hostedZone', undefined, `the public hosted zone of domainName (${props.domainName}), for its alias record`);
    }
    v.check(props.hostedZone === undefined || props.domainName !== undefined, 'hostedZone', props.hostedZone?.node.path, 'given with the domainName to create the record for');
    if (props.alternativeDomainNames !== undefined) {
      PublicLoadBalancer.validateAlternativeDomainNames(v, props, props.alternativeDomainNames);
    }
    v.oneOf('sslPolicy', props.sslPolicy, elbv2.SslPolicy, 'elbv2.SslPolicy');
    // Each block becomes security group rules of its own, so the list must be known at synth; a
    // block in it may be a token.
    v.knownAtSynth('allowedCidrs', allowedCidrs, 'each block is a security group rule of its own; a block in the list may be a token');
    v.check(allowedCidrs.length > 0, 'allowedCidrs', allowedCidrs, 'at least one IPv4 CIDR block');
    for (const cidr of Token.isUnresolved(allowedCidrs) ? [] : allowedCidrs) {
      if (!Token.isUnresolved(cidr)) {
        const m = IPV4_CIDR.exec(cidr);
        v.check(m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32, 'allowedCidrs', cidr, 'IPv4 CIDR blocks such as 203.0.113.0/24');
      }
    }
    checkRegionalWebAclArn(v, 'webAclArn', props.webAclArn, regionOf(props.vpc), 'the load balancer');
    v.secondsInRange('deregistrationDelay', props.deregistrationDelay, 0, 3600);
    const p99 = props.latencyP99Threshold;
    if (p99 && !p99.isUnresolved()) {
      const ms = p99.toMilliseconds();
      v.check(ms > 0, 'latencyP99Threshold', `${ms} ms`, 'longer than 0');
    } else if (p99) {
      // The alarm compares seconds; a token converts to seconds only when given in seconds.
      v.check(secondsOf(p99) !== undefined, 'latencyP99Threshold', p99.toString(), 'in seconds when it is a token (Duration.seconds(token)): the alarm compares seconds');
    }
    // The former name: TypeScript refuses it, but JavaScript, JSON configuration or a spread object
    // would pass it unnoticed, and the alarm would keep its default.
    v.renamed(props, 'responseTimeP99Threshold', 'latencyP99Threshold, a Duration (the p99 target response time)');
    v.integerAtLeast('target5xxThreshold', props.target5xxThreshold, 0);
    v.integerAtLeast('loadBalancer5xxThreshold', props.loadBalancer5xxThreshold, 0);
  }

  /**
   * Records an error unless a target group's health check path starts with '/' and has at most
   * 1024 characters (Elastic Load Balancing's limit).
   */
  public static validateHealthCheckPath(v: PropValidator, path: string | undefined): void {
    if (path !== undefined && !Token.isUnresolved(path)) {
      v.check(path.startsWith('/') && path.length <= 1024, 'healthCheckPath', path, "a path starting with '/', at most 1024 characters");
    }
  }

  /**
   * Records the errors of `alternativeDomainNames`: further names of the certificate the front
   * requests, so only where it requests one, each a host name in its zone, none twice (DNS names
   * compare without case), not `domainName` again, and within ACM's names per certificate.
   */
  private static validateAlternativeDomainNames(v: PropValidator, props: PublicLoadBalancerProps, names: string[]): void {
    const prop = 'alternativeDomainNames';
    // An empty list (from configuration, say) asks for nothing: no error.
    const given = names.length > 0;
    v.check(!given || props.certificate === undefined, prop, names,
      'left unset with certificate: the names a given certificate covers are decided where it is requested (add them there)');
    v.check(!given || props.domainName !== undefined, prop, names,
      'left unset without domainName: they are further names of the certificate the front requests for domainName with hostedZone');
    // aws-cdk-lib gives each name a DNS validation option of its own, and the count is checked:
    // the list must be known at synth (a name in it may be a token).
    v.knownAtSynth(prop, names, 'each name needs a DNS validation option of its own; a name in the list may be a token');
    if (Token.isUnresolved(names)) {
      return;
    }
    v.check(names.length <= MAX_NAMES_PER_CERTIFICATE - 1, prop, `${names.length} names`,
      `at most ${MAX_NAMES_PER_CERTIFICATE - 1}: ACM's default quota is ${MAX_NAMES_PER_CERTIFICATE} names per certificate, domainName included`);
    const seen = new Set<string>();
    const domainName = props.domainName !== undefined && !Token.isUnresolved(props.domainName) ? props.domainName.toLowerCase() : undefined;
    for (const [i, name] of names.entries()) {
      if (Token.isUnresolved(name)) {
        continue;
      }
      checkDomainName(v, `${prop}[${i}]`, name, props.hostedZone);
      const host = name.toLowerCase();
      v.check(host !== domainName, `${prop}[${i}]`, name, 'a name other than domainName, which the certificate covers already');
      v.check(!seen.has(host), `${prop}[${i}]`, name, 'a name given once');
      seen.add(host);
    }
  }

  /**
   * Records an error when the given certificate is known to be in another region than the load
   * balancer, or its ARN is neither an ACM certificate's nor an IAM server certificate's.
   *
   * ACM certificates are regional, and Elastic Load Balancing uses only those of its own region:
   * https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html (a load balancer in another
   * region needs its own certificate there; certificates cannot be copied between regions). IAM
   * server certificates are global and load balancers take them too:
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/ManagingServerCerts.html
   *
   * The certificate's region comes from its ARN when that is a literal, else from the stack of a
   * certificate the app creates (an imported one's stack says nothing of where it lives). The load
   * balancer's region is its VPC's. Whatever is a token is skipped. The certificate the front
   * requests for `domainName` is created in the pattern's own stack: nothing to check.
   */
  private static validateCertificateRegion(v: PropValidator, certificate: acm.ICertificate, vpc: ec2.IVpc | undefined): void {
    const { literalArn, region: certificateRegion, where } = certificateLocation(certificate);
    if (literalArn !== undefined && IAM_SERVER_CERTIFICATE_ARN.test(literalArn)) {
      return;
    }
    v.check(literalArn === undefined || certificateRegion !== undefined, 'certificate', literalArn,
      'the ARN of an ACM certificate (arn:<partition>:acm:<region>:<account>:certificate/<id>) '
      + 'or of an IAM server certificate (arn:<partition>:iam::<account>:server-certificate/<name>)');
    const region = regionOf(vpc);
    if (certificateRegion === undefined || Token.isUnresolved(certificateRegion) || region === undefined || Token.isUnresolved(region)) {
      return;
    }
    v.check(certificateRegion === region, 'certificate', where,
      `in the load balancer's region, ${region}, not ${certificateRegion}: an Application Load Balancer uses ACM certificates of its own region only`);
  }

  /** The internet-facing load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** HTTPS on 443, or HTTP on 80 when insecure HTTP was allowed. */
  public readonly listener: elbv2.ApplicationListener;
  /** The allowed CIDRs on the listener ports; nothing out but to the targets. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The bucket holding the access logs. */
  public readonly accessLogsBucket: s3.Bucket;
  /** The web ACL the front created, when it created one. */
  public readonly webAcl?: wafv2.CfnWebACL;
  /** The certificate the front requested for `domainName`, when it requested one. */
  public readonly certificate?: acm.ICertificate;
  /** `https://` and the domain name or the load balancer's DNS name (`http://` when insecure). */
  public readonly url: string;
  /**
   * The alarms of the target group `addTargets` created: unhealthy targets, target and load
   * balancer 5xx responses, p99 target response time. They are the pattern's alarms too.
   */
  public readonly alarms: cloudwatch.IAlarm[] = [];

  /** The path of the pattern holding the front, which descriptions name. */
  private readonly patternPath: string;
  /** The target group `addTargets` created, once it has. */
  private addedTargetGroup?: elbv2.ApplicationTargetGroup;

  /**
   * @param scope the pattern that holds the front
   * @param id `'Default'`, so that its resources keep the logical ids they would have as the
   * pattern's own (see the class)
   * @param prelude the pattern's prelude (`PatternPrelude.start(scope, kind, props)`): the front
   * reads its resolved props, stage and removal policy, and creates its alarms through it, so they
   * notify the pattern's alarm topic and join the pattern's alarms and dashboard section
   * @param allowedCidrs the resolved `allowedCidrs`, which the pattern validated
   */
  constructor(scope: Construct, id: string, private readonly prelude: PatternPrelude<PublicLoadBalancerProps>, allowedCidrs: string[]) {
    super(scope, id);
    this.patternPath = scope.node.path;
    const { props, production } = prelude;
    this.certificate = !props.certificate && props.domainName && props.hostedZone
      ? new acm.Certificate(this, 'Certificate', {
        domainName: props.domainName,
        // Names another construct routes here (DnsRouting's record name): covered by the
        // certificate, validated in the same zone, but their records are not the front's.
        subjectAlternativeNames: props.alternativeDomainNames?.length ? props.alternativeDomainNames : undefined,
        validation: acm.CertificateValidation.fromDns(props.hostedZone),
        // aws-cdk-lib tags the certificate Name with its construct path by default: the pattern's,
        // as it always was, rather than one through the front.
        certificateName: `${this.patternPath}/Certificate`.slice(0, 255),
      })
      : undefined;
    const certificate = props.certificate ?? this.certificate;
    const secure = certificate !== undefined;

    this.securityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: `Load balancer of ${this.patternPath}: the listener ports from the allowed CIDRs`,
      allowAllOutbound: false,
    });
    for (const cidr of allowedCidrs) {
      for (const port of secure ? [443, 80] : [80]) {
        this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), `${port === 80 && secure ? 'HTTP redirect' : 'Listener'} from ${cidr}`);
      }
    }
    if (allowedCidrs.includes('0.0.0.0/0')) {
      acknowledgeNagFinding(this.securityGroup, 'AwsSolutions-EC23',
        'The internet-facing load balancer is the one intended public entry point; everything behind it admits only its security group.');
    }

    this.accessLogsBucket = createAccessLogBucket(this, 'AccessLogsBucket', {
      production,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      sseS3Reason: 'Load balancer access logs can only be delivered to a bucket encrypted with S3-managed keys (SSE-S3), which this bucket uses.',
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: this.securityGroup,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE,
      deletionProtection: production,
    });
    this.enableAccessLogs();
    if (!production) {
      acknowledgeNagRule(this.loadBalancer, NIST_AND_HIPAA_PACKS, 'ELBDeletionProtectionEnabled',
        'A DEV load balancer must be destroyable with its stack; PROD turns deletion protection on.');
    }

    this.listener = secure
      ? this.loadBalancer.addListener('HttpsListener', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [certificate],
        sslPolicy: props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
      })
      : this.loadBalancer.addListener('HttpListener', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
    if (secure) {
      const redirect = this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open: false });
      acknowledgeNagRule(redirect, COMPLIANCE_PACKS, 'ELBv2ACMCertificateRequired',
        'This port-80 listener serves nothing: it only redirects to the HTTPS listener, which uses the ACM certificate.');
    } else {
      acknowledgeNagRule(this.listener, COMPLIANCE_PACKS, 'ALBHttpToHttpsRedirection',
        'allowInsecureHttp was set: without a certificate there is no HTTPS listener to redirect to.');
      acknowledgeNagRule(this.listener, COMPLIANCE_PACKS, 'ELBv2ACMCertificateRequired',
        'allowInsecureHttp was set: this load balancer deliberately serves plain HTTP, for a sandbox without a certificate.');
    }

    if (props.domainName && props.hostedZone) {
      // Evaluating the target's health changes nothing for this record alone, but a record that
      // aliases it (DnsRouting's, through RoutingEndpoint.fromDomainName) then fails over when the
      // load balancer has no healthy target, not only when its health check fails.
      const target = route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer, { evaluateTargetHealth: true }));
      // A record only: the load balancer is IPv4 (the VPC has no IPv6), and an AAAA alias to an
      // IPv4-only load balancer would answer nothing.
      new route53.ARecord(this, 'AliasRecord', { zone: props.hostedZone, recordName: props.domainName, target });
    }
    this.webAcl = this.protectWithWaf(props.webAclArn);
    const host = props.domainName && props.hostedZone ? props.domainName : this.loadBalancer.loadBalancerDnsName;
    this.url = `${secure ? 'https' : 'http'}://${host}`;
  }

  /** The target group `addTargets` created, or undefined before it was called. */
  public get targetGroup(): elbv2.ApplicationTargetGroup | undefined {
    return this.addedTargetGroup;
  }

  /**
   * The target group of the listener, with the front's health check defaults and alarms:
   * unhealthy targets, target and load balancer 5xx responses, p99 target response time. The
   * alarms are the front's children and in its `alarms`, and join the pattern's through its
   * prelude. Their descriptions name the pattern, which the operator knows. Called once: the
   * front has one target group (`targetGroup`), and its alarms have fixed ids.
   */
  public addTargets(id: string, props: elbv2.AddApplicationTargetsProps, targetNames: TargetNames): elbv2.ApplicationTargetGroup {
    if (this.addedTargetGroup) {
      throw new Error(`${this.patternPath}: the load balancer front has its target group already (${this.addedTargetGroup.node.id}); it takes one`);
    }
    const thresholds = this.prelude.props;
    const targetGroup = this.listener.addTargets(id, {
      deregistrationDelay: thresholds.deregistrationDelay ?? Duration.seconds(30),
      ...props,
      // A target is checked every 30 s: healthy after 2 passes, out after 3 failures.
      healthCheck: { interval: Duration.seconds(30), healthyThresholdCount: 2, unhealthyThresholdCount: 3, ...props.healthCheck },
    });
    this.addedTargetGroup = targetGroup;
    const fiveMinutes = Duration.minutes(5);
    const path = this.patternPath;
    this.alarm('UnhealthyHostsAlarm', {
      metric: targetGroup.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 0,
      description: `${targetNames.one} of ${path} fails its health checks`,
    });
    this.alarm('Target5xxAlarm', {
      metric: targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: thresholds.target5xxThreshold ?? 10,
      description: `${targetNames.all} of ${path} answer 5xx errors`,
    });
    this.alarm('LoadBalancer5xxAlarm', {
      metric: this.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: thresholds.loadBalancer5xxThreshold ?? 10,
      description: `The load balancer of ${path} answers 5xx errors itself (no healthy target, or a target timed out)`,
    });
    const p99 = thresholds.latencyP99Threshold ?? Duration.seconds(1);
    // The id keeps the alarm's logical id from before the prop was renamed.
    this.alarm('ResponseTimeP99Alarm', {
      metric: targetGroup.metrics.targetResponseTime({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) }),
      threshold: secondsOf(p99)!,
      description: `1% of the requests to ${path} take longer than ${humanThreshold(p99)}`,
    });
    return targetGroup;
  }

  /** One of the front's alarms: its child, in its `alarms` and in the pattern's. */
  private alarm(id: string, options: PatternAlarmOptions): void {
    this.alarms.push(this.prelude.alarm(id, options, this));
  }

  /**
   * aws-cdk-lib's `logAccessLogs` needs the stack's region to pick who writes the logs: the
   * regional Elastic Load Balancing account in regions older than August 2022, a service principal
   * in newer ones. An env-agnostic stack gets both, the account looked up at deploy time.
   */
  private enableAccessLogs(): void {
    const stack = Stack.of(this);
    if (!Token.isUnresolved(stack.region)) {
      this.loadBalancer.logAccessLogs(this.accessLogsBucket);
      return;
    }
    const objects = this.accessLogsBucket.arnForObjects(`AWSLogs/${stack.account}/*`);
    const accounts = new CfnMapping(this, 'ElbAccounts', {
      mapping: Object.fromEntries(RegionInfo.regions.map((r) => [r.name, { account: r.elbv2Account ?? 'none' }])),
    });
    const elbAccount = accounts.findInMap(Aws.REGION, 'account');
    const hasElbAccount = new CfnCondition(this, 'RegionHasElbAccount', { expression: Fn.conditionNot(Fn.conditionEquals(elbAccount, 'none')) });
    this.accessLogsBucket.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [objects],
      principals: [new iam.ArnPrincipal(Fn.conditionIf(hasElbAccount.logicalId,
        `arn:${Aws.PARTITION}:iam::${elbAccount}:root`,
        // Regions without an ELB account: the bucket's own account, which holds these rights already.
        `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`).toString())],
    }));
    this.accessLogsBucket.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [objects],
      principals: [new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
    }));
    this.loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    this.loadBalancer.setAttribute('access_logs.s3.bucket', this.accessLogsBucket.bucketName);
    this.loadBalancer.setAttribute('access_logs.s3.prefix', '');
    // Elastic Load Balancing checks that it may write to the bucket when logging is turned on.
    this.loadBalancer.node.addDependency(this.accessLogsBucket.policy!);
  }

  /**
   * PROD gets AWS's managed rule groups for common exploits, known bad inputs and addresses with a
   * bad reputation, unless a web ACL is given; DEV skips WAF unless one is given.
   */
  private protectWithWaf(webAclArn: string | undefined): wafv2.CfnWebACL | undefined {
    if (webAclArn) {
      associateWebAcl(this, this.loadBalancer.loadBalancerArn, webAclArn);
      return undefined;
    }
    if (!this.prelude.production) {
      acknowledgeNagRule(this.loadBalancer, NIST_AND_PCI_PACKS, 'ALBWAFEnabled',
        'DEV skips the web ACL (about $8 a month) to keep sandboxes cheap; PROD creates one, and webAclArn attaches an existing one.');
      return undefined;
    }
    // The log key is created here, with the id protectWithManagedRules would give it, so that its
    // description names the pattern rather than the front.
    const { removalPolicy } = this.prelude;
    const logKey = createLogEncryptionKey(this, 'WebAclLogKey', `Encrypts the WAF logs of ${this.patternPath}`, removalPolicy);
    return protectWithManagedRules(this, this.loadBalancer.loadBalancerArn, removalPolicy, logKey);
  }
}

/** The region of the load balancer's VPC, when it is a construct of a stack (an imported VPC is too). */
function regionOf(vpc: ec2.IVpc | undefined): string | undefined {
  return vpc && Construct.isConstruct(vpc) ? Stack.of(vpc).region : undefined;
}

/** A duration in seconds, fractions kept; undefined for a token that is not in seconds, which aws-cdk-lib cannot convert. */
function secondsOf(duration: Duration): number | undefined {
  try {
    return duration.toSeconds({ integral: false });
  } catch {
    return undefined;
  }
}

/** A threshold as the alarm description says it; a token reads as the parameter's value, in seconds. */
function humanThreshold(duration: Duration): string {
  return duration.isUnresolved() ? `${Tokenization.stringifyNumber(secondsOf(duration)!)} seconds` : duration.toHumanString();
}
