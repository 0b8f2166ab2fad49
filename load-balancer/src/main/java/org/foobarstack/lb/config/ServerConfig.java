package org.foobarstack.lb.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One {@code server} line of a HAProxy backend: {@code server web-1 127.0.0.11:8080 weight 1 check}.
 *
 * @param name    the server's name in logs, traces and the stats page, e.g. "web-1"
 * @param address where it listens
 * @param weight  its share of the traffic, 0 to 256 as in HAProxy; 0 takes no new requests
 * @param backup  used only when no non-backup server is usable (HAProxy's {@code backup}); then the first usable
 *                backup in configuration order takes all traffic, as HAProxy does without {@code option allbackups}
 * @param check   whether it is health-checked; an unchecked server is assumed up
 */
public record ServerConfig(String name, InetSocketAddress address, int weight, boolean backup, boolean check) {

    public static final int MAX_WEIGHT = 256;

    public ServerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight of " + name + " must be 0 to " + MAX_WEIGHT + ", got " + weight);
        }
    }

    /** A checked, non-backup server of weight 1. */
    public static ServerConfig of(String name, InetSocketAddress address) {
        return new ServerConfig(name, address, 1, false, true);
    }

    public ServerConfig withWeight(int newWeight) {
        return new ServerConfig(name, address, newWeight, backup, check);
    }

    public ServerConfig asBackup() {
        return new ServerConfig(name, address, weight, true, check);
    }

    public ServerConfig withoutCheck() {
        return new ServerConfig(name, address, weight, backup, false);
    }
}
