import { NagPacks } from '../../src';
import { newApp } from '../support/app';

// An app with a cdk-nag 2.x older than the one whose `cdk_nag` metadata the library writes.
jest.mock('cdk-nag', () => jest.requireActual('cdk-nag-v2'));
jest.mock('cdk-nag/package.json', () => ({ version: '2.30.0' }));

test('a cdk-nag 2.x older than 2.38.2 is refused, naming the installed release and what to install', () => {
  expect(() => NagPacks.enable(newApp())).toThrow(
    'NagPacks.enable: cdk-nag 2.30.0 is installed; 2.x releases from 2.38.2 (or 3.x) are supported: upgrade it.');
});
