package rnn.engine;

import rnn.engine.kernel.HostCopy;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Named parameter tensors and their gradients, in PyTorch's names and shapes
 * ({@code embedding.weight} [V,E]; {@code rnn.weight_ih_l{k}} [G*H,In]; {@code rnn.weight_hh_l{k}} [G*H,H];
 * {@code rnn.bias_ih_l{k}}, {@code rnn.bias_hh_l{k}} [G*H]; {@code decoder.weight} [V,H]; {@code decoder.bias} [V]).
 * A tied model has no {@code decoder.weight}: the decoder reads {@code embedding.weight}. The names
 * and shapes themselves come from {@link ParameterShapes}.
 */
public final class Parameters {
    private final Map<String, INDArray> values;
    private final Map<String, INDArray> gradients;
    private final Map<String, TouchedRows> touched;

    /**
     * @param rowSparse the names whose gradients are written only by row scatter-adds, so are kept
     *                  row-sparse (see {@link #touchedRows})
     */
    Parameters(Map<String, INDArray> values, Set<String> rowSparse) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        Map<String, INDArray> grads = new LinkedHashMap<>();
        values.forEach((name, value) -> grads.put(name, Nd4j.zerosLike(value)));
        this.gradients = Collections.unmodifiableMap(grads);
        Map<String, TouchedRows> sparse = new LinkedHashMap<>();
        for (String name : rowSparse) {
            sparse.put(name, new TouchedRows(Math.toIntExact(value(name).size(0))));
        }
        this.touched = Collections.unmodifiableMap(sparse);
    }

    /** Parameter values by name, in a fixed order; the arrays are live (updated in place). */
    public Map<String, INDArray> values() {
        return values;
    }

    /** Gradients by name, same order and shapes as {@link #values()}. */
    public Map<String, INDArray> gradients() {
        return gradients;
    }

    public INDArray value(String name) {
        return Objects.requireNonNull(values.get(name), name);
    }

    public INDArray gradient(String name) {
        return Objects.requireNonNull(gradients.get(name), name);
    }

    /**
     * For a row-sparse gradient (an untied embedding's), the rows the last backward pass wrote;
     * every other row of it is exactly zero, as long as only the model writes its gradients. Null
     * for a dense gradient.
     */
    public TouchedRows touchedRows(String name) {
        return touched.get(name);
    }

    public DataType dataType() {
        return values.values().iterator().next().dataType();
    }

    /** Total number of scalar parameters. */
    public long count() {
        return values.values().stream().mapToLong(INDArray::length).sum();
    }

    /** Euclidean norm of all gradients together. */
    public double gradientNorm() {
        double sum = 0;
        for (Map.Entry<String, INDArray> entry : gradients.entrySet()) {
            TouchedRows rows = touched.get(entry.getKey());
            INDArray g = entry.getValue();
            // BLAS dot: one vectorized pass (ND4J's norm2 reduction took about twice as long).
            sum += rows != null ? rows.sumOfSquares(g) : Nd4j.getBlasWrapper().dot(g, g);
        }
        return Math.sqrt(sum);
    }

    /**
     * Global-norm clipping as a factor for {@link rnn.engine.optim.Optimizer#step}: maxNorm / norm
     * when the gradients' norm exceeds maxNorm, else 1. Handing the factor to the update instead of
     * scaling every gradient saves a pass over all of them.
     */
    public double clipScale(double maxNorm) {
        double norm = gradientNorm();
        return norm > maxNorm ? maxNorm / norm : 1.0;
    }

    /** True if any value is NaN or infinite. */
    public boolean hasNonFinite() {
        for (INDArray v : values.values()) {
            if (!allFinite(v)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether every value of {@code array} is finite. Exact: a sum would overflow to infinity for
     * large finite values; 0 * x is 0 for every finite x and NaN for NaN and both infinities.
     */
    public static boolean allFinite(INDArray array) {
        if (array.dataType() == DataType.FLOAT && !array.isView() && array.ordering() == 'c') {
            return allFinite(HostCopy.floats(array), Math.toIntExact(array.length()));
        }
        return !Double.isNaN(array.mul(0.0).sumNumber().doubleValue());
    }

    private static boolean allFinite(FloatBuffer values, int length) {
        float zeroOrNaN = 0f;
        for (int i = 0; i < length; i++) {
            zeroOrNaN += 0f * values.get(i);
        }
        return zeroOrNaN == 0f;
    }
}
