// Entry point that @vscode/test-electron loads in the extension host: runs the scenarios with mocha.
import Mocha from 'mocha';
import { register } from './scenarios';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120000, color: true });
  mocha.suite.emit('pre-require', globalThis, 'scenarios', mocha);
  register();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
