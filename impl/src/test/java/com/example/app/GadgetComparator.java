package com.example.app;

import java.io.Serializable;
import java.util.Comparator;

/** A gadget outside every allow-list: a PriorityQueue calls it while it is deserialized. */
public final class GadgetComparator implements Comparator<Object>, Serializable {

    private static final long serialVersionUID = 1L;
    /** Set when the comparator ran. */
    public static volatile boolean ran;

    @Override
    public int compare(Object a, Object b) {
        ran = true;
        return 0;
    }
}
