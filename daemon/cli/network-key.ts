/** `sochat network-key`: the key as one line, for a key file (`--network-key-file`) on the next machine. */
import { stat } from 'node:fs/promises'
import { IdentityError } from '../errors/index.js'
import { loadNetworkKey } from '../identity/index.js'

export async function printNetworkKey(dataDir: string): Promise<number> {
  // Only the folder's owner: root reading another user's key would hand it to whoever asked root.
  const owner = await stat(dataDir).then(
    (st) => st.uid,
    () => null,
  )
  if (owner === null)
    throw new IdentityError('network_key_missing', `There is no SO-CHAT data folder at ${dataDir}. Choose it with --data-dir.`)
  if (process.getuid && owner !== process.getuid())
    throw new IdentityError('network_key_invalid', `The data folder ${dataDir} is not yours; only its owner may print its network key.`)
  const key = await loadNetworkKey(dataDir)
  if (!key)
    throw new IdentityError(
      'network_key_missing',
      'This machine holds no network key yet: it makes one when it founds a network (no other machine found) or receives one when a person lets it in. Run `sochat start` first.',
    )
  console.log(key.toString())
  return 0
}
