package org.foobarstack.toxics;

/**
 * What a toxic does to the bytes of its stream: one record per Toxiproxy toxic type, each holding only that type's
 * attributes. The records are values; the behaviour of each lives in its stage ({@code LatencyStage}...).
 */
public sealed interface Effect permits Latency, Bandwidth, SlowClose, Timeout, ResetPeer, Slicer, LimitData {

    /** Toxiproxy's type name: {@code latency}, {@code bandwidth}, {@code slow_close}... */
    String type();
}
