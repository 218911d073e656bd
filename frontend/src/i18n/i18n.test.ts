import { describe, expect, it } from 'vitest';
import { en } from './en';
import { es } from './es';
import { dictionaries, interpolate, LANGUAGES, translate } from './index';

/** Keys one dictionary has and the other lacks, both ways. */
function keyDifferences(a: Record<string, string>, b: Record<string, string>) {
  const aKeys = new Set(Object.keys(a));
  const bKeys = new Set(Object.keys(b));
  return {
    missingInB: [...aKeys].filter((k) => !bKeys.has(k)).sort(),
    missingInA: [...bKeys].filter((k) => !aKeys.has(k)).sort(),
  };
}

function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}

describe('dictionaries', () => {
  it('en and es have exactly the same keys', () => {
    const { missingInB: missingInEs, missingInA: missingInEn } = keyDifferences(en, es);
    expect(missingInEs, 'keys missing in es').toEqual([]);
    expect(missingInEn, 'keys missing in en').toEqual([]);
  });

  it('every language has every key of en', () => {
    for (const language of LANGUAGES) {
      expect(keyDifferences(en, dictionaries[language]).missingInB, language).toEqual([]);
    }
  });

  it('a key missing in one dictionary is reported', () => {
    const { 'home.cta': _dropped, ...withoutCta } = en;
    expect(keyDifferences(en, withoutCta)).toEqual({ missingInB: ['home.cta'], missingInA: [] });
    expect(keyDifferences(withoutCta, en)).toEqual({ missingInB: [], missingInA: ['home.cta'] });
  });

  it('translations use the same placeholders as English', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(es[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('no message is empty', () => {
    for (const language of LANGUAGES) {
      for (const [key, message] of Object.entries(dictionaries[language])) {
        expect(message.trim(), `${language} ${key}`).not.toBe('');
      }
    }
  });
});

describe('interpolate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(interpolate('Hi {name}, {missing}', { name: 'Ana' })).toBe('Hi Ana, {missing}');
  });

  it('translates with parameters', () => {
    expect(translate('es', 'signIn.oidc', { provider: 'Okta' })).toBe('Iniciar sesión con Okta');
  });
});
