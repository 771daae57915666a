// AudioParam: every method converts its arguments as the IDL says, then the
// engine validates them in the spec's order (typed errors become the spec's
// exception types) and schedules the automation on the render thread.

(function () {
const { core, primordials } = __bootstrap;
const {
  op_audio_param_value,
  op_audio_param_set_value,
  op_audio_param_automation_rate,
  op_audio_param_set_automation_rate,
  op_audio_param_info,
  op_audio_param_set_value_at_time,
  op_audio_param_linear_ramp_to_value_at_time,
  op_audio_param_exponential_ramp_to_value_at_time,
  op_audio_param_set_target_at_time,
  op_audio_param_set_value_curve_at_time,
  op_audio_param_cancel_scheduled_values,
  op_audio_param_cancel_and_hold_at_time,
} = core.ops;
const { Symbol, SymbolFor } = primordials;
const { webidl, converters } = core.loadExtScript(
  "ext:webaudio/00_webidl_audio.js",
);
const { trackHandle } = core.loadExtScript("ext:webaudio/02_handles.js");

const createKey = Symbol("AudioParam.create");

class AudioParam {
  #handle;
  #defaultValue;
  #minValue;
  #maxValue;
  #contextToken;

  /**
   * `handle` keeps the engine node alive, so the param needs no reference
   * to its JS node (a cycle only a full collection would break);
   * `contextToken` names the context without holding it.
   */
  constructor(key, handle, contextToken) {
    if (key !== createKey) webidl.illegalConstructor();
    this.#handle = trackHandle(this, handle);
    this[webidl.brand] = webidl.brand;
    this.#contextToken = contextToken;
    const info = op_audio_param_info(handle);
    this.#defaultValue = info[0];
    this.#minValue = info[1];
    this.#maxValue = info[2];
  }

  get value() {
    return op_audio_param_value(this.#handle);
  }

  set value(value) {
    const prefix = "Failed to set the 'value' property on 'AudioParam'";
    value = converters.float(value, prefix, "The provided value");
    op_audio_param_set_value(this.#handle, value);
  }

  get automationRate() {
    return op_audio_param_automation_rate(this.#handle);
  }

  set automationRate(rate) {
    const prefix = "Failed to set the 'automationRate' property on 'AudioParam'";
    // An invalid enum value assigned to an attribute is ignored (WebIDL).
    try {
      rate = converters.AutomationRate(rate, prefix, "The provided value");
    } catch {
      return;
    }
    op_audio_param_set_automation_rate(this.#handle, rate);
  }

  get defaultValue() {
    return this.#defaultValue;
  }

  get minValue() {
    return this.#minValue;
  }

  get maxValue() {
    return this.#maxValue;
  }

  setValueAtTime(value, startTime) {
    const prefix = "Failed to execute 'setValueAtTime' on 'AudioParam'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    value = converters.float(value, prefix, "Argument 1");
    startTime = converters.double(startTime, prefix, "Argument 2");
    op_audio_param_set_value_at_time(this.#handle, value, startTime);
    return this;
  }

  linearRampToValueAtTime(value, endTime) {
    const prefix = "Failed to execute 'linearRampToValueAtTime' on 'AudioParam'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    value = converters.float(value, prefix, "Argument 1");
    endTime = converters.double(endTime, prefix, "Argument 2");
    op_audio_param_linear_ramp_to_value_at_time(this.#handle, value, endTime);
    return this;
  }

  exponentialRampToValueAtTime(value, endTime) {
    const prefix = "Failed to execute 'exponentialRampToValueAtTime' on 'AudioParam'";
    webidl.requiredArguments(arguments.length, 2, prefix);
    value = converters.float(value, prefix, "Argument 1");
    endTime = converters.double(endTime, prefix, "Argument 2");
    op_audio_param_exponential_ramp_to_value_at_time(this.#handle, value, endTime);
    return this;
  }

  setTargetAtTime(target, startTime, timeConstant) {
    const prefix = "Failed to execute 'setTargetAtTime' on 'AudioParam'";
    webidl.requiredArguments(arguments.length, 3, prefix);
    target = converters.float(target, prefix, "Argument 1");
    startTime = converters.double(startTime, prefix, "Argument 2");
    timeConstant = converters.float(timeConstant, prefix, "Argument 3");
    op_audio_param_set_target_at_time(this.#handle, target, startTime, timeConstant);
    return this;
  }

  setValueCurveAtTime(values, startTime, duration) {
    const prefix = "Failed to execute 'setValueCurveAtTime' on 'AudioParam'";
    webidl.requiredArguments(arguments.length, 3, prefix);
    values = converters["sequence<float>"](values, prefix, "Argument 1");
    startTime = converters.double(startTime, prefix, "Argument 2");
    duration = converters.double(duration, prefix, "Argument 3");
    // Already a fresh Float32Array: it crosses as it is.
    op_audio_param_set_value_curve_at_time(this.#handle, values, startTime, duration);
    return this;
  }

  cancelScheduledValues(cancelTime) {
    const prefix = "Failed to execute 'cancelScheduledValues' on 'AudioParam'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    cancelTime = converters.double(cancelTime, prefix, "Argument 1");
    op_audio_param_cancel_scheduled_values(this.#handle, cancelTime);
    return this;
  }

  cancelAndHoldAtTime(cancelTime) {
    const prefix = "Failed to execute 'cancelAndHoldAtTime' on 'AudioParam'";
    webidl.requiredArguments(arguments.length, 1, prefix);
    cancelTime = converters.double(cancelTime, prefix, "Argument 1");
    op_audio_param_cancel_and_hold_at_time(this.#handle, cancelTime);
    return this;
  }

  static handleOf(param) {
    return param.#handle;
  }

  static contextTokenOf(param) {
    return param.#contextToken;
  }

  [SymbolFor("Deno.privateCustomInspect")](inspect, options) {
    return `AudioParam ${inspect({
      value: this.value,
      automationRate: this.automationRate,
      defaultValue: this.defaultValue,
      minValue: this.minValue,
      maxValue: this.maxValue,
    }, options)}`;
  }
}

const paramHandleOf = AudioParam.handleOf;
const paramContextTokenOf = AudioParam.contextTokenOf;
delete AudioParam.handleOf;
delete AudioParam.contextTokenOf;

webidl.configureInterface(AudioParam);
const AudioParamPrototype = AudioParam.prototype;
converters.AudioParam = webidl.createInterfaceConverter(
  "AudioParam",
  AudioParamPrototype,
);

/** Wraps a new engine param handle of the context `contextToken` names. */
function createAudioParam(handle, contextToken) {
  return new AudioParam(createKey, handle, contextToken);
}

return {
  AudioParam,
  AudioParamPrototype,
  createAudioParam,
  paramHandleOf,
  paramContextTokenOf,
};
})();
