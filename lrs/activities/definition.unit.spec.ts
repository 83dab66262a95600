/** Canonical Activity definitions: what statements carry, and how it folds in. */
import { describe, expect, it } from 'vitest';
import { activityDefinitions, mergeDefinition } from './definition.js';

describe('mergeDefinition', () => {
  it('adds and replaces languages one by one, and extensions key by key', () => {
    const canonical = { name: { 'en-US': 'meeting', 'en-GB': 'meeting' }, description: { 'en-US': 'd' }, extensions: { 'http://e/a': 1 } };
    const incoming = { name: { 'fr-FR': 'réunion', 'en-GB': 'a meeting' }, extensions: { 'http://e/b': 2 } };
    expect(mergeDefinition(canonical, incoming)).toEqual({
      name: { 'en-US': 'meeting', 'en-GB': 'a meeting', 'fr-FR': 'réunion' },
      description: { 'en-US': 'd' },
      extensions: { 'http://e/a': 1, 'http://e/b': 2 },
    });
  });

  it('takes type and moreInfo from the incoming definition when it has them', () => {
    expect(mergeDefinition({ type: 'http://t/1', moreInfo: 'http://m/1' }, { type: 'http://t/2' })).toEqual({ type: 'http://t/2', moreInfo: 'http://m/1' });
  });

  it('replaces an interaction as a whole, so components of another interaction type do not linger', () => {
    const choice = { interactionType: 'choice', correctResponsesPattern: ['a'], choices: [{ id: 'a', description: { 'en-US': 'A' } }] };
    const likert = { interactionType: 'likert', scale: [{ id: '1', description: { 'en-US': 'one' } }] };
    expect(mergeDefinition({ ...choice, name: { 'en-US': 'q' } }, likert)).toEqual({ name: { 'en-US': 'q' }, ...likert });
    expect(mergeDefinition(choice, { name: { 'en-US': 'q' } })).toEqual({ ...choice, name: { 'en-US': 'q' } });
  });

  it('does not change its inputs', () => {
    const canonical = { name: { 'en-US': 'a' } };
    mergeDefinition(canonical, { name: { 'fr-FR': 'b' } });
    expect(canonical).toEqual({ name: { 'en-US': 'a' } });
  });
});

describe('activityDefinitions', () => {
  const def = (n: string) => ({ name: { 'en-US': n } });

  it('takes the object, context Activities and a SubStatement\'s, in order, only those with a definition', () => {
    const statement = {
      actor: { mbox: 'mailto:a@example.com' },
      verb: { id: 'http://v/1' },
      object: {
        objectType: 'SubStatement',
        actor: { mbox: 'mailto:a@example.com' },
        verb: { id: 'http://v/2' },
        object: { id: 'http://a/sub', definition: def('sub') },
        context: { contextActivities: { parent: { id: 'http://a/sub-parent', definition: def('sp') } } },
      },
      context: {
        contextActivities: {
          parent: [{ id: 'http://a/parent', definition: def('p') }],
          grouping: [{ id: 'http://a/no-definition' }],
          category: [{ objectType: 'Activity', id: 'http://a/cat', definition: def('c') }],
        },
      },
    };
    expect(activityDefinitions([statement, { object: { objectType: 'Activity', id: 'http://a/x', definition: def('x') } }])).toEqual([
      { id: 'http://a/parent', definition: def('p') },
      { id: 'http://a/cat', definition: def('c') },
      { id: 'http://a/sub', definition: def('sub') },
      { id: 'http://a/sub-parent', definition: def('sp') },
      { id: 'http://a/x', definition: def('x') },
    ]);
  });

  it('ignores Agents, StatementRefs and Activities without a definition', () => {
    expect(
      activityDefinitions([
        { object: { objectType: 'Agent', mbox: 'mailto:a@example.com', definition: def('no') } },
        { object: { objectType: 'StatementRef', id: '6f1b9c3e-0d8a-4b53-9c61-4c1f0b8e2a10' } },
        { object: { id: 'http://a/plain' } },
      ]),
    ).toEqual([]);
  });
});
