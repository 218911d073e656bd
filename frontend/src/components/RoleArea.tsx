import { type ComponentType, Suspense } from 'react';
import { NavLink, Outlet } from 'react-router';
import type { Role } from '../api/generated';
import { useSession } from '../api/session';
import { type MessageKey, useI18n } from '../i18n';
import { RequireAuth } from './RequireAuth';
import { Loading } from './States';

/** One entry of an area's navigation; `end` marks the link that matches its own path only. */
export type AreaLink = readonly [to: string, label: MessageKey, end?: boolean];

interface RoleAreaProps {
  /** The role the area is for. */
  forRole: Role;
  /** Classes of the area's wrapper, after `portal`. */
  className?: string;
  nav: MessageKey;
  links: ReadonlyArray<AreaLink>;
  /** What a signed-in user of another role sees instead: where to go. */
  elsewhere: ComponentType<{ role: Role }>;
}

/** An area of the app for one role: signed in as that role, with the area's navigation. */
export function RoleArea(props: RoleAreaProps) {
  return (
    <RequireAuth>
      <RoleOnly {...props} />
    </RequireAuth>
  );
}

function RoleOnly({ forRole, className, nav, links, elsewhere: Elsewhere }: RoleAreaProps) {
  const { t } = useI18n();
  const session = useSession();
  const actual = session.user?.role;
  if (actual && actual !== forRole) return <Elsewhere role={actual} />;
  return (
    <div className={className ? `portal ${className}` : 'portal'}>
      <nav aria-label={t(nav)} className="portal-nav">
        <ul>
          {links.map(([to, label, end]) => (
            <li key={to}>
              <NavLink to={to} end={end ?? false}>
                {t(label)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Suspense fallback={<Loading label={t('app.loadingPage')} />}>
        <Outlet />
      </Suspense>
    </div>
  );
}
