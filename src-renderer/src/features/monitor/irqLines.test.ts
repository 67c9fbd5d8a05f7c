import { describe, expect, it } from 'vitest';
import { busiestIrqLines, irqLabel, knownIrqIds } from './irqLines';

describe('irq lines', () => {
  it('picks the busiest lines, idle ones only when nothing fires', () => {
    const means = new Map([['25', 100], ['3', 0], ['26', 300], ['40', 1]]);
    expect(busiestIrqLines(means, 2)).toEqual(['26', '25']);
    expect(busiestIrqLines(means, 5)).toEqual(['26', '25', '40']);
    expect(busiestIrqLines(new Map([['9', 0], ['10', 0]]), 5)).toEqual(['9', '10']);
  });
  it('names a line by its actions', () => {
    const lines = [
      { id: '25', name: 'SC  25 Level     pxa2xx-mci' },
      { id: 'Err', name: '' },
      { id: 'IPI0', name: 'Rescheduling interrupts' },
    ];
    expect(irqLabel('25', lines)).toBe('25 pxa2xx-mci');
    expect(irqLabel('Err', lines)).toBe('Err');
    expect(irqLabel('IPI0', lines)).toBe('IPI0 Rescheduling interrupts');
    expect(irqLabel('77', lines)).toBe('77');
  });
  it('lists declared lines first, then lines only seen in samples', () => {
    expect(knownIrqIds([{ id: '25', name: '' }, { id: '26', name: '' }], ['26', '99'])).toEqual(['25', '26', '99']);
  });
});
