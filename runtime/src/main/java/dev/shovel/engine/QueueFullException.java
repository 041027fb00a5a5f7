package dev.shovel.engine;

import dev.shovel.ShovelException;

/** Every slot is busy and the wait queue is full: try again later. */
public final class QueueFullException extends ShovelException {
    public QueueFullException(int queued) {
        super("the server is busy: every slot is in use and " + queued + " requests are waiting; try again later");
    }
}
