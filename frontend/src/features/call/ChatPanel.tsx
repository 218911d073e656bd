import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../../i18n';
import type { CallState, ChatEntry } from './controller';

function senderLabel(entry: ChatEntry, state: CallState, t: ReturnType<typeof useI18n>['t']) {
  if (entry.sender === state.role) return t('call.chat.you');
  return entry.sender === 'patient' ? t('call.chat.patient') : t('call.chat.psychiatrist');
}

/** The in-call chat: earlier messages from the API and live ones, announced politely. */
export function ChatPanel({
  state,
  historyFailed,
  onSend,
}: {
  state: CallState;
  historyFailed: boolean;
  onSend: (text: string) => boolean;
}) {
  const { t, language } = useI18n();
  const [text, setText] = useState('');
  const [notSent, setNotSent] = useState(false);
  const inputId = useId();
  const log = useRef<HTMLOListElement>(null);
  const count = state.chat.length;

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when a message arrives
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    if (onSend(text)) {
      setText('');
      setNotSent(false);
    } else {
      setNotSent(true);
    }
  };
  const time = new Intl.DateTimeFormat(language, { hour: 'numeric', minute: '2-digit' });

  return (
    <section className="card call-chat" aria-labelledby="call-chat-title">
      <h2 id="call-chat-title">{t('call.chat')}</h2>
      {historyFailed ? <p className="muted">{t('call.chat.historyError')}</p> : null}
      {count === 0 ? <p className="muted">{t('call.chat.empty')}</p> : null}
      <ol
        className="call-chat-log"
        ref={log}
        role="log"
        aria-live="polite"
        aria-relevant="additions"
      >
        {state.chat.map((entry) => (
          <li key={entry.key} className={entry.sender === state.role ? 'chat-mine' : 'chat-theirs'}>
            <span className="chat-meta">
              {senderLabel(entry, state, t)} ·{' '}
              <time dateTime={entry.sentAt}>{time.format(new Date(entry.sentAt))}</time>
              {entry.pending ? ` · ${t('call.chat.sending')}` : null}
            </span>
            <span className="chat-text">{entry.text}</span>
          </li>
        ))}
      </ol>
      <form className="call-chat-form" onSubmit={submit}>
        <label htmlFor={inputId}>{t('call.chat.label')}</label>
        <div className="call-chat-row">
          <input
            id={inputId}
            value={text}
            maxLength={2000}
            autoComplete="off"
            aria-describedby={notSent ? `${inputId}-error` : undefined}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" className="button primary small">
            {t('call.chat.send')}
          </button>
        </div>
        {notSent ? (
          <p className="field-error" id={`${inputId}-error`} role="alert">
            {t('call.chat.notSent')}
          </p>
        ) : null}
      </form>
    </section>
  );
}
