package org.foobarstack.toxics;

import java.util.Random;

/** Makes the stage that carries out a toxic's effect: one stage class per effect record. */
final class Stages {

    private Stages() {
    }

    static Stage of(Toxic toxic, StreamPipeline pipeline, Random random) {
        String name = toxic.name();
        Effect effect = toxic.effect();
        if (effect instanceof Latency latency) {
            return new LatencyStage(name, pipeline, latency, random);
        }
        if (effect instanceof Bandwidth bandwidth) {
            return new BandwidthStage(name, pipeline, bandwidth);
        }
        if (effect instanceof SlowClose slowClose) {
            return new SlowCloseStage(name, pipeline, slowClose);
        }
        if (effect instanceof Timeout timeout) {
            return new TimeoutStage(name, pipeline, timeout);
        }
        if (effect instanceof ResetPeer resetPeer) {
            return new ResetPeerStage(name, pipeline, resetPeer);
        }
        if (effect instanceof Slicer slicer) {
            return new SlicerStage(name, pipeline, slicer, random);
        }
        return new LimitDataStage(name, pipeline, (LimitData) effect);
    }
}
