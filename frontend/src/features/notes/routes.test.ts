import { matchRoutes } from 'react-router';
import { describe, expect, it } from 'vitest';
import { routes } from '../../routes';

function leaf(path: string) {
  return matchRoutes(routes, path)?.at(-1)?.route.path;
}

describe('routes', () => {
  it("send a visit's note to the editor, not to the patient's visit page", () => {
    expect(leaf('/visits/9b1c1a8e-0000-4000-8000-0000000000b1/note')).toBe(
      'visits/:bookingId/note',
    );
    expect(leaf('/visits/9b1c1a8e-0000-4000-8000-0000000000b1')).toBe('visits/:bookingId');
    expect(leaf('/notes/c0ffee00-0000-4000-8000-000000000001')).toBe('notes/:noteId');
  });

  it('serve the admin console under /admin', () => {
    expect(matchRoutes(routes, '/admin')?.at(-1)?.route.index).toBe(true);
    expect(leaf('/admin/payments')).toBe('payments');
    expect(leaf('/admin/psychiatrists/5f0c1a8e-0000-4000-8000-000000000002')).toBe(
      'psychiatrists/:psychiatristId',
    );
  });
});
