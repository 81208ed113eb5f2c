import { describe, expect, it } from 'vitest';
import { Application, type ApplicationOptions, renderText, route } from '../src/index.js';

const routes = [route('/', () => 'x', renderText)];
const build = (options: unknown) => () => new Application(routes, options as ApplicationOptions);

describe('Application options', () => {
  it('rejects unknown keys, naming them', () => {
    expect(build({ bodylimit: 10 })).toThrow(
      'options.bodylimit is not an option; did you mean "bodyLimit"?',
    );
    expect(build({ notfound: 'next' })).toThrow('did you mean "notFound"?');
    expect(build({ zzzzzzzz: 1 })).toThrow(/options\.zzzzzzzz is not an option$/);
    expect(build({ notFound: 'skip' })).toThrow("options.notFound must be 'respond' or 'next'");
    expect(build({ lingeringTimeOut: 10 })).toThrow(
      expect.objectContaining({ code: 'SUP_ERR_WEB_INVALID_OPTION' }),
    );
  });

  it('checks the draining and lingering bounds', () => {
    expect(build({ drainLimit: -1 })).toThrow(/options\.drainLimit must be a non-negative integer/);
    expect(build({ drainLimit: 1.5 })).toThrow(/options\.drainLimit/);
    expect(build({ lingeringTime: '30s' })).toThrow(/options\.lingeringTime/);
    expect(build({ lingeringTimeout: 0 })).toThrow(/options\.lingeringTimeout must be a positive/);
    expect(build({ drainLimit: 0, lingeringTime: 0, lingeringTimeout: 1 })).not.toThrow();
  });
});
