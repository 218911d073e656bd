import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Two shared cores under a parallel test run: give findBy/waitFor room before they give up.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
});
