import { NagPacks } from '../../src';
import { newApp } from '../support/app';

// An app that never installed cdk-nag, the library's optional peer.
jest.mock('cdk-nag', () => {
  throw Object.assign(new Error("Cannot find module 'cdk-nag'"), { code: 'MODULE_NOT_FOUND' });
});

test('without cdk-nag, NagPacks.enable says what to install', () => {
  expect(() => NagPacks.enable(newApp())).toThrow(
    'NagPacks.enable needs cdk-nag, an optional peer dependency of cdk-best-practice-patterns: install it in your app '
    + '(npm install --save-dev cdk-nag; 3.x, or 2.x from 2.38.2) and synthesize again. In Python, Java, .NET or Go, install cdk-nag '
    + 'for your language and import its module before this call (Python: import cdk_nag), so that it is loaded where the library can find it.');
});
