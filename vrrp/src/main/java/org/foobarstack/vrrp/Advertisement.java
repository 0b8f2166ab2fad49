package org.foobarstack.vrrp;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a master says every Advertisement_Interval: "I am the master of virtual router {@code virtualRouterId},
 * with this priority, advertising this often, for these addresses." It is the one message of VRRP (type 1,
 * ADVERTISEMENT, RFC 9568 §5.2.2); {@link AdvertisementCodec} turns it into the bytes of RFC 9568 §5.1.
 *
 * @param virtualRouterId               the VRID, 1 to 255 (RFC 9568 §5.2.3)
 * @param priority                      the sender's priority, 0 to 255; 0 means "I am leaving MASTER, take over
 *                                      now" (RFC 9568 §5.2.4)
 * @param maxAdvertIntervalCentiseconds the sender's Advertisement_Interval in centiseconds, 1 to 4095
 *                                      (RFC 9568 §5.2.7)
 * @param addresses                     the virtual addresses, at least one (RFC 9568 §5.2.5, §5.2.9)
 */
public record Advertisement(int virtualRouterId, int priority, int maxAdvertIntervalCentiseconds,
                            List<Inet4Address> addresses) {

    /** The priority of a master that is leaving: backups take over after Skew_Time (RFC 9568 §6.4.2). */
    public static final int PRIORITY_LEAVING = 0;

    public Advertisement {
        if (virtualRouterId < 1 || virtualRouterId > 255) {
            throw new IllegalArgumentException("virtual router id must be 1 to 255, was " + virtualRouterId);
        }
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("priority must be 0 to 255, was " + priority);
        }
        if (maxAdvertIntervalCentiseconds < 1 || maxAdvertIntervalCentiseconds > 4095) {
            throw new IllegalArgumentException("advertisement interval must be 1 to 4095 centiseconds, was "
                    + maxAdvertIntervalCentiseconds);
        }
        Objects.requireNonNull(addresses, "addresses");
        if (addresses.isEmpty() || addresses.size() > 255) {
            throw new IllegalArgumentException("an advertisement carries 1 to 255 addresses, not " + addresses.size());
        }
        addresses = List.copyOf(addresses);
    }

    /** The advertisement {@code config}'s instance sends, with {@code priority} (its own, or 0 when leaving). */
    public static Advertisement of(VrrpConfig config, int priority) {
        return new Advertisement(config.virtualRouterId(), priority, config.advertIntervalCentiseconds(),
                List.of((Inet4Address) config.virtualAddress()));
    }

    /** The sender's Advertisement_Interval, which a backup adopts as Active_Adver_Interval (RFC 9568 §6.4.2). */
    public Duration maxAdvertInterval() {
        return Duration.ofMillis(maxAdvertIntervalCentiseconds * 10L);
    }
}
