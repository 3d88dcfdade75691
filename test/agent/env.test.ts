// $(VAR) expansion in env values, command and args, as kubelet expands them.
import { describe, expect, it } from 'vitest';
import { containerArgv, expand } from '../../src/agent/env';

const vars = new Map([
  ['A', 'alpha'],
  ['B', 'beta'],
]);
const lookup = (n: string) => vars.get(n);

describe('$(VAR) expansion', () => {
  it('expands known variables, keeps unknown ones as written, and reads $$ as a literal $', () => {
    expect(expand('$(A)-$(B)', lookup)).toBe('alpha-beta');
    expect(expand('$(NOPE) stays', lookup)).toBe('$(NOPE) stays');
    expect(expand('$$(A) is literal', lookup)).toBe('$(A) is literal');
    expect(expand('cost: $5 and $', lookup)).toBe('cost: $5 and $');
    expect(expand('unclosed $(A', lookup)).toBe('unclosed $(A');
  });

  it('expands command and args from the final environment, with no shell involved', () => {
    const argv = containerArgv(
      { name: 'c', command: ['/bin/echo', '$(A)'], args: ['--x=$(B)', '$(HOME) ; rm -rf /'] },
      [
        ['A', 'alpha'],
        ['B', 'beta'],
      ],
    );
    expect(argv).toEqual(['/bin/echo', 'alpha', '--x=beta', '$(HOME) ; rm -rf /']);
  });
});
