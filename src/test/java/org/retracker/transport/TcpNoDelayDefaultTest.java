package org.retracker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.Test;

/**
 * {@link TrackerServer} leaves TCP_NODELAY on accepted HTTP connections to Netty's default (one
 * setsockopt less per connection): this holds Netty to that default, so that replies are never
 * held back by Nagle's algorithm.
 */
class TcpNoDelayDefaultTest {
    /** NIO always; epoll where Netty's native transport loads (it does on the Linux we ship for). */
    @Test
    void socketChannelsStartWithTcpNoDelay() {
        NioSocketChannel nio = new NioSocketChannel();
        try {
            assertThat(nio.config().isTcpNoDelay()).as("NIO").isTrue();
        } finally {
            nio.unsafe().closeForcibly();
        }
        if (Epoll.isAvailable()) {
            EpollSocketChannel epoll = new EpollSocketChannel();
            try {
                assertThat(epoll.config().isTcpNoDelay()).as("epoll").isTrue();
            } finally {
                epoll.unsafe().closeForcibly();
            }
        }
    }
}
