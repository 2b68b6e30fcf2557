package org.retracker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

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
    @Test
    void nioSocketChannelsStartWithTcpNoDelay() {
        NioSocketChannel ch = new NioSocketChannel();
        try {
            assertThat(ch.config().isTcpNoDelay()).isTrue();
        } finally {
            ch.unsafe().closeForcibly();
        }
    }

    @Test
    void epollSocketChannelsStartWithTcpNoDelay() {
        assumeThat(Epoll.isAvailable())
                .as("Netty's epoll transport (Linux x86_64/aarch64)")
                .isTrue();
        EpollSocketChannel ch = new EpollSocketChannel();
        try {
            assertThat(ch.config().isTcpNoDelay()).isTrue();
        } finally {
            ch.unsafe().closeForcibly();
        }
    }
}
