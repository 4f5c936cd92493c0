// "What pulls the grade down most": the points each criterion costs, by the methodology's
// rule. On every graded service of the real bundle, the costs add up to 100 minus the
// score the Python side computed (within its rounding to a whole number).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { losses } from '../../src/lib/explain.js';
import { loadTestBundle } from '../support/bundle.js';

const bundle = loadTestBundle();

test('the costs add up to what the score lost, for every graded service', () => {
  let checked = 0;
  for (const service of bundle.services.filter((s) => s.score !== null)) {
    const total = losses(service, bundle.methodology).reduce((sum, item) => sum + item.loss, 0);
    assert.ok(Math.abs(100 - total - service.score) <= 0.5 + 1e-9, `${service.slug}: 100 - ${total.toFixed(2)} vs score ${service.score}`);
    checked += 1;
  }
  assert.ok(checked > 30, `${checked} services checked`);
});

test('largest loss first, only criteria that cost something, none without a score', () => {
  const service = bundle.services.find((s) => s.score !== null && s.score < 90);
  const items = losses(service, bundle.methodology);
  assert.ok(items.length > 0);
  for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].loss >= items[i].loss);
  assert.ok(items.every((item) => item.loss > 0));
  for (const item of items) {
    const criterion = service.criteria.find((c) => c.id === item.id);
    assert.notEqual(criterion.counted_level, 'full');
    assert.ok(!['not_assessed', 'not_applicable'].includes(criterion.counted_level));
  }
  assert.deepEqual(losses({ ...service, score: null }, bundle.methodology), []);
  const withoutPoints = { ...bundle.methodology };
  delete withoutPoints.level_points;
  assert.deepEqual(losses(service, withoutPoints), []);
});

test('a worked example: one group of two criteria, one partial', () => {
  const methodology = {
    level_points: { full: 100, partial: 50, none: 0, no_disclosure: 0 },
    groups: [{ id: 'g', weight: 30 }, { id: 'h', weight: 10 }],
    criteria: [{ id: 'a', group: 'g' }, { id: 'b', group: 'g' }, { id: 'c', group: 'h' }],
  };
  const service = { score: 62.5, criteria: [
    { id: 'a', counted_level: 'partial' }, { id: 'b', counted_level: 'full' }, { id: 'c', counted_level: 'none' },
  ] };
  // a: 30/40 x 50/2 = 18.75; c: 10/40 x 100/1 = 25.
  assert.deepEqual(losses(service, methodology).map(({ id, loss }) => [id, loss]), [['c', 25], ['a', 18.75]]);
});
