// A ?ltask-service import of a module without a default export: the build fails, saying what to export.
/// <reference types="@ltask-web/plugin-ltask/client" />
import rules from '../../../fixtures/ts/tally_rules.ts?ltask-service';

console.log(rules.service);
