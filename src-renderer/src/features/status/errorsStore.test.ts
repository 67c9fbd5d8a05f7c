import { beforeEach, describe, expect, it } from 'vitest';
import { BenchtopError } from '../../../../src-shared/errors';
import { useErrors } from './errorsStore';

describe('errors store', () => {
  beforeEach(() => useErrors.setState({ errors: [] }));

  it('keeps message and code until dismissed, and counts repeats', () => {
    const s = () => useErrors.getState();
    s().push('Start x', new BenchtopError('invalid-state', 'session x is running'));
    s().push('Start x', new BenchtopError('invalid-state', 'session x is running'));
    s().push('Stop y', new Error('boom'));
    expect(s().errors.map((e) => [e.title, e.message, e.code, e.count])).toEqual([
      ['Start x', 'session x is running', 'invalid-state', 2],
      ['Stop y', 'boom', null, 1],
    ]);
    s().dismiss(s().errors[0]!.key);
    expect(s().errors).toHaveLength(1);
  });

  it('keeps only the latest few', () => {
    for (let i = 0; i < 9; i++) useErrors.getState().push(`t${i}`, 'x');
    expect(useErrors.getState().errors.map((e) => e.title)).toEqual(['t4', 't5', 't6', 't7', 't8']);
  });
});
