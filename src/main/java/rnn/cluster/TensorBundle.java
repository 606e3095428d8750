package rnn.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Named tensors flattened into one array, the form weights and optimizer state travel in between
 * the driver and the workers (ND4J arrays are not serializable). FLOAT tensors are sent as floats;
 * the few DOUBLE ones (an optimizer's step count) as doubles, so nothing is rounded on the way.
 */
final class TensorBundle implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final long[][] shapes;
    private final boolean[] isDouble;
    private final int[] offsets;
    final float[] floats;
    final double[] doubles;

    private TensorBundle(String[] names, long[][] shapes, boolean[] isDouble, int[] offsets, float[] floats,
                         double[] doubles) {
        this.names = names;
        this.shapes = shapes;
        this.isDouble = isDouble;
        this.offsets = offsets;
        this.floats = floats;
        this.doubles = doubles;
    }

    /** Copies the tensors, in the map's order. */
    static TensorBundle of(Map<String, INDArray> tensors) {
        int n = tensors.size();
        String[] names = new String[n];
        long[][] shapes = new long[n][];
        boolean[] isDouble = new boolean[n];
        int[] offsets = new int[n];
        long floatCount = 0;
        long doubleCount = 0;
        int i = 0;
        for (Map.Entry<String, INDArray> entry : tensors.entrySet()) {
            INDArray value = entry.getValue();
            names[i] = entry.getKey();
            shapes[i] = value.shape();
            isDouble[i] = value.dataType() == DataType.DOUBLE;
            if (!isDouble[i] && value.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException(names[i] + " is " + value.dataType() + ", not FLOAT or DOUBLE");
            }
            offsets[i] = Math.toIntExact(isDouble[i] ? doubleCount : floatCount);
            if (isDouble[i]) {
                doubleCount += value.length();
            } else {
                floatCount += value.length();
            }
            i++;
        }
        float[] floats = new float[Math.toIntExact(floatCount)];
        double[] doubles = new double[Math.toIntExact(doubleCount)];
        i = 0;
        for (INDArray value : tensors.values()) {
            INDArray flat = value.dup('c').reshape(value.length());
            if (isDouble[i]) {
                System.arraycopy(flat.toDoubleVector(), 0, doubles, offsets[i], (int) value.length());
            } else {
                System.arraycopy(flat.toFloatVector(), 0, floats, offsets[i], (int) value.length());
            }
            i++;
        }
        return new TensorBundle(names, shapes, isDouble, offsets, floats, doubles);
    }

    /** The tensors again, as new arrays in the original order, names, shapes and types. */
    Map<String, INDArray> tensors() {
        return tensors(floats, doubles);
    }

    private Map<String, INDArray> tensors(float[] floatValues, double[] doubleValues) {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            int length = Math.toIntExact(length(shapes[i]));
            INDArray value;
            if (isDouble[i]) {
                double[] part = new double[length];
                System.arraycopy(doubleValues, offsets[i], part, 0, length);
                value = Nd4j.create(part, shapes[i], DataType.DOUBLE);
            } else {
                float[] part = new float[length];
                System.arraycopy(floatValues, offsets[i], part, 0, length);
                value = Nd4j.create(part, shapes[i], 'c');
            }
            tensors.put(names[i], value);
        }
        return tensors;
    }

    /** The same tensors with new values (e.g. an average), given as doubles in this bundle's layout. */
    TensorBundle withValues(double[] floatValues, double[] doubleValues) {
        float[] rounded = new float[floatValues.length];
        for (int i = 0; i < rounded.length; i++) {
            rounded[i] = (float) floatValues[i];
        }
        return new TensorBundle(names, shapes, isDouble, offsets, rounded, doubleValues.clone());
    }

    /** The same names, shapes and types without values, to rebuild a bundle from sums. */
    TensorBundle layout() {
        return new TensorBundle(names, shapes, isDouble, offsets, new float[0], new double[0]);
    }

    /** Tensors whose names start with {@code prefix}, with the prefix removed. */
    static Map<String, INDArray> withPrefix(Map<String, INDArray> tensors, String prefix, boolean keep) {
        Map<String, INDArray> part = new LinkedHashMap<>();
        tensors.forEach((name, value) -> {
            if (name.startsWith(prefix) == keep) {
                part.put(keep ? name.substring(prefix.length()) : name, value);
            }
        });
        return part;
    }

    List<String> names() {
        return new ArrayList<>(List.of(names));
    }

    /** Bytes of values this bundle carries. */
    long bytes() {
        return 4L * floats.length + 8L * doubles.length;
    }

    private static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
