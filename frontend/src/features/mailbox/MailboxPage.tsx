import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/problem';
import { Empty, ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDateTime } from '../auth/format';
import { type MailSummary, mailboxMessageQuery, mailboxQuery } from './api';
import { linkify } from './linkify';

/** Development only: the mail the local SMTP server caught (verification, reset links …). */
export function MailboxPage() {
  const { t } = useI18n();
  usePageTitle(t('mailbox.title'));
  const { messageId } = useParams();
  const list = useQuery(mailboxQuery);

  const off = list.error instanceof ApiError && list.error.status === 404;
  return (
    <section className="mailbox">
      <div className="page-head">
        <h1>{t('mailbox.title')}</h1>
        <button
          type="button"
          className="button secondary"
          onClick={() => void list.refetch()}
          disabled={list.isFetching}
        >
          {t('mailbox.refresh')}
        </button>
      </div>
      <p className="muted">{t('mailbox.intro')}</p>
      {list.isPending ? (
        <Loading />
      ) : off ? (
        <Empty>{t('mailbox.off')}</Empty>
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty>{t('mailbox.empty')}</Empty>
      ) : (
        <div className="mailbox-panes">
          <MessageList items={list.data.items} selected={messageId} />
          {messageId ? <MessageView id={messageId} /> : <Empty>{t('mailbox.select')}</Empty>}
        </div>
      )}
    </section>
  );
}

function MessageList({ items, selected }: { items: MailSummary[]; selected?: string | undefined }) {
  const { t, language } = useI18n();
  return (
    <ul className="list mail-list" aria-label={t('mailbox.title')}>
      {items.map((item) => (
        <li key={item.id} className={item.id === selected ? 'list-item selected' : 'list-item'}>
          <Link
            to={`/dev/mailbox/${encodeURIComponent(item.id)}`}
            aria-current={item.id === selected ? 'page' : undefined}
          >
            <span className="mail-subject">{item.subject}</span>
            <span className="muted">
              {item.to}
              {item.received_at ? ` · ${formatDateTime(item.received_at, language)}` : ''}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

function MessageView({ id }: { id: string }) {
  const { t, language } = useI18n();
  const message = useQuery(mailboxMessageQuery(id));
  if (message.isPending) return <Loading />;
  if (message.isError) {
    return <ErrorState error={message.error} onRetry={() => void message.refetch()} />;
  }
  const m = message.data;
  return (
    <article className="card mail-view" aria-labelledby="mail-subject">
      <p>
        <Link to="/dev/mailbox">← {t('mailbox.back')}</Link>
      </p>
      <h2 id="mail-subject">{m.subject}</h2>
      <dl className="facts">
        <dt>{t('mailbox.to')}</dt>
        <dd>{m.to}</dd>
        {m.received_at ? (
          <>
            <dt>{t('mailbox.received')}</dt>
            <dd>{formatDateTime(m.received_at, language)}</dd>
          </>
        ) : null}
      </dl>
      <pre className="mail-text">{linkify(m.text)}</pre>
    </article>
  );
}

export default MailboxPage;
