import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Pagination } from '../patient/Pagination';
import { ListRegion } from './ListRegion';

interface Paged<Item> {
  items: Item[];
  total: number;
  limit: number;
}

/**
 * One page of a list the server pages: loading, error with retry, or empty; else how many
 * there are (when `count` says it), the rows (in a scrollable region named `label`) and the
 * pager.
 */
export function PagedList<Item>({
  query,
  label,
  empty,
  count,
  page,
  onPage,
  pagesLabel,
  children,
}: {
  query: UseQueryResult<Paged<Item>>;
  label: string;
  empty: ReactNode;
  count?: (total: number) => ReactNode;
  page: number;
  onPage: (page: number) => void;
  pagesLabel: string;
  children: (items: Item[]) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  if (query.data.items.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      {count ? (
        <p className="muted" aria-live="polite">
          {count(query.data.total)}
        </p>
      ) : null}
      <ListRegion label={label}>{children(query.data.items)}</ListRegion>
      <Pagination
        page={page}
        limit={query.data.limit}
        total={query.data.total}
        onPage={onPage}
        label={pagesLabel}
      />
    </>
  );
}
