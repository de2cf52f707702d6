package dev.ensemble.ml;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DevicesTest {

    @Test
    void aGpuIsUsedOnlyWhenTheEngineHasIt() {
        assertEquals(Device.cpu(), Devices.resolve(null, "PyTorch"));
        assertEquals(Device.cpu(), Devices.resolve(" CPU ", "PyTorch"));
        Device expected = Engine.getEngine("PyTorch").getGpuCount() > 0 ? Device.gpu(0) : Device.cpu();
        assertEquals(expected, Devices.resolve("gpu", "PyTorch"));
        assertEquals(Device.cpu(), Devices.resolve("gpu:999", "PyTorch"));
        assertEquals(Device.cpu(), Devices.resolve("gpu", "NoSuchEngine"));
        assertThrows(IllegalArgumentException.class, () -> Devices.resolve("tpu", "PyTorch"));
    }
}
