import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { CrisisResources as CrisisData } from '../../api/generated';
import { practiceQuery } from '../../api/queries';
import { useI18n } from '../../i18n';

/**
 * Crisis resources, placed first on the page and announced at once (role="alert"). With the
 * API's answer (`crisis_resources` of a submission) it shows that; before the answer arrives
 * it shows the practice's crisis line, so nothing waits on the network.
 */
export function CrisisResources({
  resources,
  focus = false,
}: {
  resources?: CrisisData | null | undefined;
  focus?: boolean;
}) {
  const { t, language } = useI18n();
  const practice = useQuery(practiceQuery);
  const box = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focus) box.current?.focus();
  }, [focus]);

  const practiceText =
    language === 'es'
      ? practice.data?.crisis_line_text_es || practice.data?.crisis_line_text
      : practice.data?.crisis_line_text;
  const text = resources?.text || practiceText || t('crisis.default');
  const phone = resources?.phone || '988';
  return (
    <section
      className="crisis crisis-urgent"
      role="alert"
      aria-labelledby="crisis-resources-title"
      tabIndex={-1}
      ref={box}
    >
      <h2 id="crisis-resources-title">{t('crisis.title')}</h2>
      <p>{text}</p>
      <p className="crisis-actions">
        <a className="button primary" href={`tel:${phone.replace(/[^\d+]/g, '')}`}>
          {t('crisis.call', { phone })}
        </a>
        <a className="button secondary" href={`sms:${phone.replace(/[^\d+]/g, '')}`}>
          {t('crisis.text', { phone })}
        </a>
      </p>
      <p>{t('crisis.emergency')}</p>
    </section>
  );
}
