import { useState } from 'react';
import { Link } from 'react-router';
import { useI18n } from '../../i18n';
import { ChartFlags, ChartScores, ChartVitals, LastNote } from '../workspace/ChartSummaryPage';
import './chart-panel.css';

const WIDE = '(min-width: 60rem)';

function startsOpen(): boolean {
  return typeof window.matchMedia === 'function' ? window.matchMedia(WIDE).matches : true;
}

/**
 * The patient's chart beside the call, for the psychiatrist: flags, latest scores and trend,
 * vitals, last note. Always open on a wide screen; on a phone it folds away under a button.
 */
export function ChartPanel({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(startsOpen);
  return (
    <aside className={`chart-panel${open ? '' : ' collapsed'}`} aria-labelledby="call-chart-title">
      <div className="chart-panel-head">
        <h2 id="call-chart-title">{t('callChart.title')}</h2>
        <button
          type="button"
          className="button secondary chart-panel-toggle"
          aria-expanded={open}
          aria-controls="call-chart-body"
          onClick={() => setOpen((o) => !o)}
        >
          {open ? t('callChart.hide') : t('callChart.show')}
        </button>
      </div>
      <div id="call-chart-body" className="chart-panel-body">
        <ChartFlags patientId={patientId} level={3} />
        <ChartScores patientId={patientId} level={3} />
        <ChartVitals patientId={patientId} level={3} />
        <LastNote patientId={patientId} level={3} />
        <p>
          {/* A new tab: leaving this page would end the call. */}
          <Link to={`/my-patients/${patientId}`} target="_blank" rel="noopener">
            {t('callChart.openFull')}
          </Link>
        </p>
      </div>
    </aside>
  );
}
