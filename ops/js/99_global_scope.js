// The Web Audio interfaces a window has, and the script that defines each.
// The runtime's bootstrap installs them as lazily loaded, non-enumerable
// globals, so a script pays only for the interfaces it uses.

(function () {
const webAudioGlobalScripts = {
  __proto__: null,
  AudioBuffer: "01_audio_buffer",
  AudioParam: "10_audio_param",
  AudioNode: "11_audio_node",
  AudioScheduledSourceNode: "11_audio_node",
  AudioDestinationNode: "11_audio_node",
  AudioListener: "12_base_audio_context",
  BaseAudioContext: "12_base_audio_context",
  GainNode: "20_gain_node",
  ConstantSourceNode: "21_constant_source_node",
  BiquadFilterNode: "22_biquad_filter_node",
  IIRFilterNode: "23_iir_filter_node",
  WaveShaperNode: "24_wave_shaper_node",
  DelayNode: "22_delay_node",
  OscillatorNode: "23_oscillator_node",
  PeriodicWave: "23_oscillator_node",
  AudioBufferSourceNode: "24_audio_buffer_source_node",
  StereoPannerNode: "25_routing_nodes",
  ChannelSplitterNode: "25_routing_nodes",
  ChannelMergerNode: "25_routing_nodes",
  ConvolverNode: "26_convolver_node",
  AnalyserNode: "27_analyser_node",
  DynamicsCompressorNode: "28_dynamics_compressor_node",
  PannerNode: "29_panner_node",
  ScriptProcessorNode: "22_script_processor_node",
  AudioProcessingEvent: "22_script_processor_node",
  AudioContext: "30_audio_context",
  AudioSinkInfo: "30_audio_context",
  OfflineAudioContext: "31_offline_audio_context",
  OfflineAudioCompletionEvent: "31_offline_audio_context",
  AudioWorklet: "41_audio_worklet",
  AudioWorkletNode: "41_audio_worklet",
  AudioParamMap: "41_audio_worklet",
  Worklet: "41_audio_worklet",
};

return { webAudioGlobalScripts };
})();
