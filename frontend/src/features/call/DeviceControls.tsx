import { useCallback, useEffect, useState } from 'react';
import { SelectField } from '../../components/Field';
import { useI18n } from '../../i18n';
import type { CallController } from './controller';

type Kind = 'audioinput' | 'videoinput';

/** The cameras and microphones the browser offers (labels appear once access is granted). */
export function useDevices(): MediaDeviceInfo[] {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    const media = globalThis.navigator?.mediaDevices;
    if (!media?.enumerateDevices) return;
    let live = true;
    const load = () => {
      media
        .enumerateDevices()
        .then((list) => {
          if (live) setDevices(list);
        })
        .catch(() => undefined);
    };
    load();
    media.addEventListener?.('devicechange', load);
    return () => {
      live = false;
      media.removeEventListener?.('devicechange', load);
    };
  }, []);
  return devices;
}

function currentDevice(stream: MediaStream | null, kind: Kind): string {
  const track = kind === 'audioinput' ? stream?.getAudioTracks()[0] : stream?.getVideoTracks()[0];
  return track?.getSettings?.().deviceId ?? '';
}

/** Camera and microphone pickers; a choice replaces the track on the wire. */
export function DeviceControls({
  controller,
  stream,
}: {
  controller: CallController;
  stream: MediaStream | null;
}) {
  const { t } = useI18n();
  const devices = useDevices();
  const [failed, setFailed] = useState(false);
  const choose = useCallback(
    (kind: Kind, deviceId: string) => {
      setFailed(false);
      controller.switchDevice(kind, deviceId).catch(() => setFailed(true));
    },
    [controller],
  );
  if (!stream) return null;
  const pickers: Array<[Kind, 'call.camera' | 'call.microphone']> = [
    ['videoinput', 'call.camera'],
    ['audioinput', 'call.microphone'],
  ];
  return (
    <div className="call-devices">
      {pickers.map(([kind, label]) => {
        const list = devices.filter((d) => d.kind === kind && d.deviceId);
        if (list.length < 2) return null;
        return (
          <SelectField
            key={kind}
            label={t(label)}
            value={currentDevice(stream, kind)}
            onChange={(e) => choose(kind, e.target.value)}
          >
            {list.map((d, i) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || t('call.deviceNumbered', { n: i + 1 })}
              </option>
            ))}
          </SelectField>
        );
      })}
      {failed ? (
        <p className="field-error" role="alert">
          {t('call.switchFailed')}
        </p>
      ) : null}
    </div>
  );
}
