/**
 * Connection quality from `RTCPeerConnection.getStats()`: round-trip time of the selected
 * candidate pair, packet loss and bitrate since the previous sample.
 */

export interface StatsSample {
  /** ms, from the report's timestamps */
  at: number;
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  bytesSent: number;
  rttMs: number | null;
  /** candidate type of the selected local candidate: host, srflx, relay… */
  localCandidateType: string | null;
}

export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';

export interface Quality {
  rttMs: number | null;
  /** percent of packets lost since the previous sample */
  lossPercent: number | null;
  inboundKbps: number | null;
  outboundKbps: number | null;
  level: QualityLevel;
  relayed: boolean;
}

type AnyStats = Record<string, unknown> & { type: string; id: string };

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Sums a report's RTP counters and finds the selected candidate pair's RTT. */
export function sampleOf(report: RTCStatsReport): StatsSample {
  const sample: StatsSample = {
    at: 0,
    packetsReceived: 0,
    packetsLost: 0,
    bytesReceived: 0,
    bytesSent: 0,
    rttMs: null,
    localCandidateType: null,
  };
  const all = new Map<string, AnyStats>();
  report.forEach((value: AnyStats) => {
    all.set(value.id, value);
  });
  let selectedPair: AnyStats | undefined;
  for (const s of all.values()) {
    sample.at = Math.max(sample.at, num(s.timestamp));
    if (s.type === 'inbound-rtp') {
      sample.packetsReceived += num(s.packetsReceived);
      sample.packetsLost += Math.max(0, num(s.packetsLost));
      sample.bytesReceived += num(s.bytesReceived);
    } else if (s.type === 'outbound-rtp') {
      sample.bytesSent += num(s.bytesSent);
    } else if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      selectedPair = all.get(s.selectedCandidatePairId) ?? selectedPair;
    }
  }
  if (!selectedPair) {
    selectedPair = [...all.values()].find(
      (s) => s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated === true,
    );
  }
  if (selectedPair) {
    const rtt = selectedPair.currentRoundTripTime;
    if (typeof rtt === 'number') sample.rttMs = Math.round(rtt * 1000);
    const local = all.get(String(selectedPair.localCandidateId));
    if (local && typeof local.candidateType === 'string') {
      sample.localCandidateType = local.candidateType;
    }
  }
  return sample;
}

/** Thresholds in the spirit of ITU-T G.114 (RTT) and common video-call loss tolerances. */
export function levelOf(rttMs: number | null, lossPercent: number | null): QualityLevel {
  if (rttMs === null && lossPercent === null) return 'unknown';
  if ((rttMs ?? 0) > 400 || (lossPercent ?? 0) > 5) return 'poor';
  if ((rttMs ?? 0) > 200 || (lossPercent ?? 0) > 2) return 'fair';
  return 'good';
}

/** Quality between two samples (the first sample gives RTT only). */
export function qualityBetween(previous: StatsSample | null, current: StatsSample): Quality {
  let lossPercent: number | null = null;
  let inboundKbps: number | null = null;
  let outboundKbps: number | null = null;
  if (previous && current.at > previous.at) {
    const ms = current.at - previous.at;
    const received = current.packetsReceived - previous.packetsReceived;
    const lost = current.packetsLost - previous.packetsLost;
    if (received + lost > 0) lossPercent = round1((100 * Math.max(0, lost)) / (received + lost));
    inboundKbps = Math.max(
      0,
      Math.round(((current.bytesReceived - previous.bytesReceived) * 8) / ms),
    );
    outboundKbps = Math.max(0, Math.round(((current.bytesSent - previous.bytesSent) * 8) / ms));
  }
  return {
    rttMs: current.rttMs,
    lossPercent,
    inboundKbps,
    outboundKbps,
    level: levelOf(current.rttMs, lossPercent),
    relayed: current.localCandidateType === 'relay',
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
