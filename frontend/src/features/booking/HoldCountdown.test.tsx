import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../../i18n';
import { HoldCountdown } from './HoldCountdown';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2031-03-01T10:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('HoldCountdown', () => {
  it('counts down every second, announces minutes, and says when the hold expired', () => {
    const onExpire = vi.fn();
    render(
      <I18nProvider initialLanguage="en">
        <HoldCountdown expiresAt="2031-03-01T10:02:05Z" onExpire={onExpire} />
      </I18nProvider>,
    );
    const timer = screen.getByRole('timer', { name: 'Time left to pay' });
    expect(timer).toHaveTextContent('2:05');
    expect(screen.getByText('About 3 minutes left to pay.')).toBeInTheDocument();

    act(() => vi.advanceTimersByTime(1_000));
    expect(timer).toHaveTextContent('2:04');

    act(() => vi.advanceTimersByTime(65_000));
    expect(timer).toHaveTextContent('0:59');
    expect(screen.getByText('Less than a minute left to pay.')).toBeInTheDocument();
    expect(onExpire).not.toHaveBeenCalled();

    act(() => vi.advanceTimersByTime(59_000));
    expect(screen.queryByRole('timer')).not.toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('The hold has expired');
    expect(onExpire).toHaveBeenCalledTimes(1);

    act(() => vi.advanceTimersByTime(10_000));
    expect(onExpire).toHaveBeenCalledTimes(1);
  });

  it('in Spanish', () => {
    render(
      <I18nProvider initialLanguage="es">
        <HoldCountdown expiresAt="2031-03-01T10:00:30Z" />
      </I18nProvider>,
    );
    expect(screen.getByRole('timer', { name: 'Tiempo restante para pagar' })).toHaveTextContent(
      '0:30',
    );
  });
});
