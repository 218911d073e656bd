import { type ReactNode, useEffect, useRef } from 'react';

/**
 * A page's <h1>. After navigating, the layout focuses <main>; once this page has loaded (lazy
 * pages arrive later) focus moves on to the heading, so a screen reader announces the page's
 * name. It never takes focus from a field the user is already in.
 */
export function PageHeading({ children }: { children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const timer = setTimeout(() => {
      if (document.activeElement?.id === 'main') heading.current?.focus();
    }, 0);
    return () => clearTimeout(timer);
  }, []);
  return (
    <h1 tabIndex={-1} ref={heading} className="page-title">
      {children}
    </h1>
  );
}
