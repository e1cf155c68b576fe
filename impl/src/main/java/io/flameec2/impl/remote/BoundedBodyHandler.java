package io.flameec2.impl.remote;

import io.flameec2.impl.wire.WireFilter;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a reply body into memory, but no more than a limit: replies are read before their signature can be
 * checked, so whoever answers at a runner's address must not make the parent buffer without bound.
 */
final class BoundedBodyHandler implements HttpResponse.BodyHandler<byte[]> {

    private final long max;

    BoundedBodyHandler(long max) {
        this.max = max;
    }

    @Override
    public BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
        long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        // a declared oversize fails on the first bytes instead of after max of them
        return new Limited(BodySubscribers.ofByteArray(), declared > max ? 0 : max,
                declared > max ? declared + " bytes" : "more than " + max + " bytes", max);
    }

    private static IOException tooLarge(String size, long max) {
        return new IOException("reply of " + size + " exceeds " + max + " bytes (" + WireFilter.MAX_BYTES + ")");
    }

    /** Counts bytes; cancels and fails once past the limit. */
    private static final class Limited implements BodySubscriber<byte[]> {
        private final BodySubscriber<byte[]> delegate;
        private final long limit;
        private final String size;
        private final long max;
        private Flow.Subscription subscription;
        private long total;
        private boolean failed;

        Limited(BodySubscriber<byte[]> delegate, long limit, String size, long max) {
            this.delegate = delegate;
            this.limit = limit;
            this.size = size;
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return delegate.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            delegate.onSubscribe(s);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            if (failed) {
                return;
            }
            for (ByteBuffer b : item) {
                total += b.remaining();
            }
            if (total > limit) {
                failed = true;
                subscription.cancel();
                delegate.onError(tooLarge(size, max));
                return;
            }
            delegate.onNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
            if (!failed) {
                delegate.onError(throwable);
            }
        }

        @Override
        public void onComplete() {
            if (!failed) {
                delegate.onComplete();
            }
        }
    }
}
