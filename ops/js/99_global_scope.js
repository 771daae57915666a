// The Web Audio interfaces a window has, for the runtime's bootstrap to
// install (non-enumerable, writable, configurable, as in a browser).

(function () {
const { core } = __bootstrap;
const load = (name) => core.loadExtScript(`ext:webaudio/${name}.js`);

const { AudioBuffer } = load("01_audio_buffer");
const { AudioParam } = load("10_audio_param");
const { AudioNode, AudioScheduledSourceNode, AudioDestinationNode } = load("11_audio_node");
const { AudioListener, BaseAudioContext } = load("12_base_audio_context");
const { GainNode } = load("20_gain_node");
const { ConstantSourceNode } = load("21_constant_source_node");
const { ConvolverNode } = load("26_convolver_node");
const { AnalyserNode } = load("27_analyser_node");
const { DynamicsCompressorNode } = load("28_dynamics_compressor_node");
const { PannerNode } = load("29_panner_node");
const { AudioContext, AudioSinkInfo } = load("30_audio_context");
const { OfflineAudioContext, OfflineAudioCompletionEvent } = load("31_offline_audio_context");

const webAudioGlobals = {
  AnalyserNode,
  AudioBuffer,
  AudioContext,
  AudioDestinationNode,
  AudioListener,
  AudioNode,
  AudioParam,
  AudioScheduledSourceNode,
  AudioSinkInfo,
  BaseAudioContext,
  ConstantSourceNode,
  ConvolverNode,
  DynamicsCompressorNode,
  GainNode,
  OfflineAudioCompletionEvent,
  OfflineAudioContext,
  PannerNode,
};

return { webAudioGlobals };
})();
