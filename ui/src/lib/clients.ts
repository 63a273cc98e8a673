// Copy-paste setup for each client Switchyard serves, with this proxy's URL and a model name
// filled in. Mirrors the client table in the README.

import { proxyRoot } from './curl'

export type Snippet = { label: string; code: string }
export type ClientSetup = { id: string; name: string; intro: string; snippets: Snippet[]; note?: string }

export function clientSetups(proxyUrl: string, model: string): ClientSetup[] {
  const v1 = proxyUrl.replace(/\/+$/, '')
  const root = proxyRoot(v1)
  return [
    {
      id: 'claude-code',
      name: 'Claude Code',
      intro: 'Claude Code speaks the Anthropic API; Switchyard translates for every other provider.',
      snippets: [
        { label: 'Shell', code: `ANTHROPIC_BASE_URL=${root} ANTHROPIC_AUTH_TOKEN=any claude` },
        {
          label: '~/.claude/settings.json',
          code: JSON.stringify({ env: { ANTHROPIC_BASE_URL: root, ANTHROPIC_AUTH_TOKEN: 'any' } }, null, 2),
        },
      ],
      note: `Then pick any model with /model ${model} (a route alias, provider/model, …).`,
    },
    {
      id: 'codex',
      name: 'Codex CLI',
      intro: 'Add Switchyard as a model provider in ~/.codex/config.toml.',
      snippets: [
        {
          label: '~/.codex/config.toml',
          code: `model = "${model}"\nmodel_provider = "switchyard"\n\n[model_providers.switchyard]\nname = "Switchyard"\nbase_url = "${v1}"\nwire_api = "responses"`,
        },
      ],
    },
    {
      id: 'gemini-cli',
      name: 'Gemini CLI',
      intro: 'Gemini CLI speaks the Gemini API; Switchyard translates for every other provider.',
      snippets: [
        { label: 'Shell', code: `GOOGLE_GEMINI_BASE_URL=${root} GEMINI_API_KEY=any gemini -m ${model}` },
        {
          label: '~/.gemini/settings.json',
          code: JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }, null, 2),
        },
      ],
    },
    {
      id: 'opencode',
      name: 'opencode',
      intro: 'Add Switchyard as an OpenAI-compatible provider in opencode.json.',
      snippets: [
        {
          label: 'opencode.json',
          code: JSON.stringify(
            {
              $schema: 'https://opencode.ai/config.json',
              provider: {
                switchyard: {
                  npm: '@ai-sdk/openai-compatible',
                  name: 'Switchyard',
                  options: { baseURL: v1, apiKey: 'any' },
                  models: { [model]: {} },
                },
              },
              model: `switchyard/${model}`,
            },
            null,
            2,
          ),
        },
      ],
    },
    {
      id: 'continue',
      name: 'Continue',
      intro: 'In config.yaml; chat, FIM autocomplete and embeddings all go through Switchyard.',
      snippets: [
        {
          label: '~/.continue/config.yaml',
          code: `models:\n  - name: Switchyard\n    provider: openai\n    model: ${model}\n    apiBase: ${v1}/\n    apiKey: any\n    roles: [chat, edit, apply, autocomplete]`,
        },
      ],
    },
    {
      id: 'cline',
      name: 'Cline and Roo Code',
      intro: 'In the extension settings, choose the API provider “OpenAI Compatible”.',
      snippets: [{ label: 'Settings', code: `API Provider: OpenAI Compatible\nBase URL:     ${v1}\nAPI Key:      any\nModel ID:     ${model}` }],
    },
    {
      id: 'zed',
      name: 'Zed',
      intro: 'In Zed’s settings.json (Zed asks for an API key once: any value works).',
      snippets: [
        {
          label: 'settings.json',
          code: JSON.stringify(
            {
              language_models: {
                openai_compatible: {
                  Switchyard: { api_url: v1, available_models: [{ name: model, display_name: model, max_tokens: 200000 }] },
                },
              },
            },
            null,
            2,
          ),
        },
      ],
    },
    {
      id: 'aider',
      name: 'Aider',
      intro: 'Aider’s openai/ prefix selects the OpenAI-compatible client; the rest is the model Switchyard gets.',
      snippets: [{ label: 'Shell', code: `aider --openai-api-base ${v1} --openai-api-key any --model openai/${model}` }],
    },
    {
      id: 'openai-python',
      name: 'OpenAI SDK (Python)',
      intro: 'Any client key works; Switchyard adds the provider’s key itself.',
      snippets: [
        {
          label: 'Python',
          code: `from openai import OpenAI\n\nclient = OpenAI(base_url="${v1}", api_key="unused")\nreply = client.chat.completions.create(\n    model="${model}",\n    messages=[{"role": "user", "content": "Hello"}],\n)\nprint(reply.choices[0].message.content)`,
        },
        { label: 'Or with environment variables', code: `export OPENAI_BASE_URL=${v1}\nexport OPENAI_API_KEY=unused` },
      ],
    },
    {
      id: 'anthropic-python',
      name: 'Anthropic SDK (Python)',
      intro: 'The Anthropic SDK takes the root URL (it adds /v1/messages).',
      snippets: [
        {
          label: 'Python',
          code: `from anthropic import Anthropic\n\nclient = Anthropic(base_url="${root}", api_key="unused")\nreply = client.messages.create(\n    model="${model}",\n    max_tokens=1024,\n    messages=[{"role": "user", "content": "Hello"}],\n)\nprint(reply.content[0].text)`,
        },
      ],
    },
    {
      id: 'curl',
      name: 'curl',
      intro: 'Tags in x-switchyard-tags show up in Requests and Costs.',
      snippets: [
        {
          label: 'Shell',
          code: `curl ${root}/v1/chat/completions \\\n  -H 'Content-Type: application/json' \\\n  -H 'x-switchyard-tags: project=demo' \\\n  -d '{"model": "${model}", "messages": [{"role": "user", "content": "Hello"}]}'`,
        },
      ],
    },
  ]
}

/** How the Connect page names a client's state. */
export function connectionLabel(status: { state: string; changed_keys: string[] }): string {
  switch (status.state) {
    case 'connected':
      return 'Connected'
    case 'changed_since':
      return `Connected, changed since: ${status.changed_keys.join(', ')}`
    default:
      return 'Not connected'
  }
}
